package dev.sparkembed.udfs.embed;

/**
 * One text's vector and what a user needs to trust it.
 *
 * @param tokenCount tokens before truncation, special tokens included
 * @param embeddedTokens tokens the model saw
 */
public record Embedded<T>(T item, float[] vector, int tokenCount, int embeddedTokens) {
  public boolean truncated() {
    return tokenCount > embeddedTokens;
  }
}
