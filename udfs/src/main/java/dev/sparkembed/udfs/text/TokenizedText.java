package dev.sparkembed.udfs.text;

/**
 * One text as the model sees it.
 *
 * @param ids token ids, special tokens included, cut to the model's max length
 * @param typeIds token type ids, same length as {@code ids}
 * @param tokenCount tokens before truncation, special tokens included
 */
public record TokenizedText(long[] ids, long[] typeIds, int tokenCount) {

  public int length() {
    return ids.length;
  }

  public boolean truncated() {
    return tokenCount > ids.length;
  }
}
