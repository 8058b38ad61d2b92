package dev.sparkembed.jobs.embed;

/**
 * Decides how many partitions the embedding stage gets, from the work (tokens) rather than the
 * rows: enough that every task slot stays busy to the end, no fewer than needed to keep each task's
 * work modest. Rows are spread over partitions by a hash of their key, which evens out the tokens
 * per partition on any corpus of more than a few hundred rows.
 */
public final class WorkPlanner {

  /** Tokens per task beyond which the stage gets more partitions. */
  static final long TOKENS_PER_PARTITION = 250_000;

  /** Rough characters per token of English prose for WordPiece and BPE vocabularies. */
  static final double CHARS_PER_TOKEN = 4.0;

  private WorkPlanner() {}

  public static long estimatedTokens(long rows, long textChars, int maxLength) {
    double perRow = rows == 0 ? 0 : Math.min(maxLength, textChars / CHARS_PER_TOKEN / rows + 2);
    return Math.round(perRow * rows);
  }

  /** Bytes of input per partition of the validation stage. */
  static final long BYTES_PER_VALIDATION_PARTITION = 64L << 20;

  /** Partitions for checking the corpus: by its size, at least two per task slot. */
  public static int validationPartitions(long inputBytes, int slots) {
    long bySize = inputBytes / BYTES_PER_VALIDATION_PARTITION + 1;
    return (int) Math.min(100_000, Math.max(2L * Math.max(1, slots), bySize));
  }

  /**
   * @param slots tasks the cluster runs at once
   * @param requested the user's --partitions, or 0
   */
  public static int partitions(long rows, long estimatedTokens, int slots, int requested) {
    if (requested > 0) {
      return requested;
    }
    if (rows == 0) {
      return 1;
    }
    int bySlots = Math.max(1, slots) * 4;
    long byTokens = (estimatedTokens + TOKENS_PER_PARTITION - 1) / TOKENS_PER_PARTITION;
    long wanted = Math.max(bySlots, byTokens);
    // A whole number of waves over the slots keeps the last wave full.
    long waves = (wanted + slots - 1) / Math.max(1, slots);
    long planned = waves * Math.max(1, slots);
    return (int) Math.max(1, Math.min(planned, Math.max(1, rows / 16)));
  }
}
