package dev.sparkembed.udfs.embed;

/**
 * One text's vector and what a user needs to trust it.
 *
 * @param tokenCount tokens before truncation, special tokens included
 * @param embeddedTokens tokens of the text the model saw (all of them when chunked)
 * @param chunks windows the text was embedded in; 1 unless long text is chunked
 */
public record Embedded<T>(T item, float[] vector, int tokenCount, int embeddedTokens, int chunks) {
  public boolean truncated() {
    return tokenCount > embeddedTokens;
  }
}
