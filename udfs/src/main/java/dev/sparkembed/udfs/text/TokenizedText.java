package dev.sparkembed.udfs.text;

/**
 * One text as the model sees it.
 *
 * @param ids token ids, special tokens included, cut to the model's max length
 * @param typeIds token type ids, same length as {@code ids}
 * @param tokenCount tokens before truncation, special tokens included
 * @param promptTokens leading tokens the model reads but pooling leaves out (a prompt, with a model
 *     whose pooling does not include it); 0 for most models
 */
public record TokenizedText(long[] ids, long[] typeIds, int tokenCount, int promptTokens) {

  public TokenizedText(long[] ids, long[] typeIds, int tokenCount) {
    this(ids, typeIds, tokenCount, 0);
  }

  public int length() {
    return ids.length;
  }

  public boolean truncated() {
    return tokenCount > ids.length;
  }

  /**
   * This text with its first {@code tokens} left out of pooling; at least its last token stays in,
   * for a text cut so short that little more than the prompt is left.
   */
  public TokenizedText withPromptTokens(int tokens) {
    return new TokenizedText(ids, typeIds, tokenCount, Math.min(tokens, ids.length - 1));
  }
}
