package dev.sparkembed.jobs.bench;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.udfs.engine.CpuFeatures;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelTiers;
import dev.sparkembed.udfs.model.Tier;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code sparkembed bench --dtypes}: one model's CPU tiers on the same rows, each tier's engine
 * loop and job, with speed and vectors against the float32 tier of the same run. A tier that cannot
 * run here (not installed, not stated) is reported as skipped with the reason. Each engine loop is
 * timed after an untimed pass over all the rows: oneDNN compiles its bfloat16 kernels once per
 * input shape, and the job, which runs after the loop in the same JVM, finds them compiled.
 */
final class TierBench {

  /** The engine loop and the job of one spec; the loop's vectors go to {@code vectors}. */
  interface Measure {
    EngineRun run(ModelSpec spec, float[][] vectors);
  }

  private final ModelTiers tiers;
  private final Measure measure;
  private final PrintStream out;

  TierBench(ModelTiers tiers, Measure measure, PrintStream out) {
    this.tiers = tiers;
    this.measure = measure;
    this.out = out;
  }

  /** Float32 first, as the reference, then the other tiers asked, each once. */
  static List<Tier> withReference(List<Tier> asked) {
    Set<Tier> ordered = new LinkedHashSet<>(List.of(Tier.FLOAT32));
    ordered.addAll(asked);
    return new ArrayList<>(ordered);
  }

  List<TierRun> run(String model, List<Tier> asked, int rows, CpuFeatures cpu) {
    out.printf("bench: CPU features %s%n", cpu.describe());
    List<TierRun> runs = new ArrayList<>();
    EngineRun float32 = null;
    float[][] reference = null;
    for (Tier tier : withReference(asked)) {
      ModelSpec spec;
      try {
        spec = tiers.spec(model, tier);
      } catch (IllegalArgumentException e) {
        if (tier == Tier.FLOAT32) {
          throw e;
        }
        String why = Messages.rootMessage(e);
        out.printf("bench: %s skipped: %s%n", tier, why);
        runs.add(TierRun.skipped(tier.configName(), model, why));
        continue;
      }
      if (tier == Tier.BFLOAT16) {
        cpu.bfloat16Warning().ifPresent(w -> out.println("bench: warning: " + w));
      }
      float[][] vectors = new float[rows][];
      EngineRun run = measure.run(spec, vectors);
      if (tier == Tier.FLOAT32) {
        float32 = run;
        reference = vectors;
      }
      runs.add(
          TierRun.measured(
              tier.configName(), spec.name(), run, float32, Fidelity.of(reference, vectors)));
    }
    return runs;
  }

  static void print(TierReport report, PrintStream out) {
    String format = "%-9s %-22s %-12s %12s %12s %9s %9s %10s %10s%n";
    out.printf(
        Locale.ROOT,
        "%n" + format,
        "tier",
        "model",
        "engine",
        "engine tok/s",
        "job tok/s",
        "engine x",
        "job x",
        "min cos",
        "mean cos");
    for (TierRun tier : report.tiers()) {
      if (tier.skipped() != null) {
        out.printf(
            Locale.ROOT, "%-9s %-22s skipped: %s%n", tier.tier(), tier.model(), tier.skipped());
        continue;
      }
      out.printf(
          Locale.ROOT,
          "%-9s %-22s %-12s %12.0f %12.0f %9.2f %9.2f %10.6f %10.6f%n",
          tier.tier(),
          tier.model(),
          tier.run().engine(),
          tier.run().engineTokensPerS(),
          tier.run().jobTokensPerS(),
          tier.engineVsFloat32(),
          tier.jobVsFloat32(),
          tier.fidelity().minCosine(),
          tier.fidelity().meanCosine());
    }
    out.printf(
        "x: tokens/s against the float32 tier; cos: each row's vector against the float32 tier's;"
            + " CPU features: %s%n",
        report.cpuFeatures());
  }
}
