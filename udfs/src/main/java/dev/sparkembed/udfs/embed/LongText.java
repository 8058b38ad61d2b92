package dev.sparkembed.udfs.embed;

import java.io.Serializable;

/**
 * What to do with a paragraph longer than the model's max length.
 *
 * @param chunk false: embed its first max-length tokens and record {@code truncated}; true: embed
 *     it whole in overlapping windows and pool them (token-weighted mean, re-normalised)
 * @param overlap text tokens consecutive windows share
 */
public record LongText(boolean chunk, int overlap) implements Serializable {

  public static final LongText TRUNCATE = new LongText(false, 0);
  public static final int DEFAULT_OVERLAP = 32;

  public static LongText chunked(int overlap) {
    return new LongText(true, overlap);
  }
}
