package dev.sparkembed.jobs.embed;

import dev.sparkembed.udfs.spark.TokenBalancedSpread;

/**
 * Decides how many partitions the embedding stage gets, from the work (tokens) rather than the
 * rows: enough that every task slot stays busy to the end, no fewer than needed to keep each task's
 * work modest. {@link TokenBalancedSpread} then gives each partition about the same tokens.
 */
public final class WorkPlanner {

  /** Tokens per task beyond which the stage gets more partitions. */
  static final long TOKENS_PER_PARTITION = 250_000;

  /**
   * Slices of at least this many rows, unless --slice-rows says otherwise: each slice is a Spark
   * job of its own, and on the 5,977 unarXive paragraphs six slices of 1,000 rows made the job 1.3x
   * slower than one (99.2 s against 74 s), so small corpora get one slice.
   */
  static final long MIN_SLICE_ROWS = 20_000;

  /** About this many slices per model and run: a killed run loses at most one of them. */
  static final long TARGET_SLICES = 20;

  private WorkPlanner() {}

  /**
   * How many slices a model's {@code rows} are embedded and committed in, each its own Spark job.
   *
   * @param sliceRows the user's --slice-rows, or 0
   */
  public static int slices(long rows, long sliceRows) {
    if (rows == 0) {
      return 0;
    }
    long size =
        sliceRows > 0
            ? sliceRows
            : Math.max(MIN_SLICE_ROWS, (rows + TARGET_SLICES - 1) / TARGET_SLICES);
    return (int) Math.min(Integer.MAX_VALUE, (rows + size - 1) / size);
  }

  /** Estimated tokens of {@code rows} texts of {@code textChars} characters in all. */
  public static long estimatedTokens(long rows, long textChars, int maxLength) {
    return rows == 0 ? 0 : rows * TokenBalancedSpread.estimate(textChars / rows, maxLength);
  }

  /**
   * @param slots tasks the cluster runs at once
   * @param requested the user's --partitions, or 0; never more than the rows, since a partition
   *     with no row is a task with no work
   */
  public static int partitions(long rows, long estimatedTokens, int slots, int requested) {
    if (requested > 0) {
      return (int) Math.max(1, Math.min(requested, rows));
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
