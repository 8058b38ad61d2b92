package dev.sparkembed.udfs.embed;

/**
 * One text's vector and what a user needs to trust it.
 *
 * @param tokenCount tokens before truncation, special tokens included
 * @param embeddedTokens tokens the model saw for this text: with chunks, every window's, the
 *     overlap and each window's special tokens included
 * @param chunks windows the text was embedded in; 1 unless long text is chunked
 */
public record Embedded<T>(T item, float[] vector, int tokenCount, int embeddedTokens, int chunks) {
  public boolean truncated() {
    return tokenCount > embeddedTokens;
  }
}
