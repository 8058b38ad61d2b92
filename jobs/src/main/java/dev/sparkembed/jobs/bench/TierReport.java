package dev.sparkembed.jobs.bench;

import dev.sparkembed.udfs.embed.BatchSettings;
import java.util.List;

/**
 * A bench run of one model's CPU tiers side by side on the same rows, the first tier float32, the
 * reference of every ratio and cosine.
 *
 * @param cpuFeatures the CPU flags that decide each tier's speed (AVX2, AVX-512, AVX-512-BF16, AMX)
 */
record TierReport(
    String model,
    String input,
    long rows,
    int cores,
    BatchSettings batch,
    String cpuFeatures,
    List<TierRun> tiers) {

  String toJson() {
    return ReportJson.of(this);
  }
}
