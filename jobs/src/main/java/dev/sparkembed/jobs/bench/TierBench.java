package dev.sparkembed.jobs.bench;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.udfs.engine.CpuFeatures;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelTiers;
import dev.sparkembed.udfs.model.Tier;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sparkembed bench --dtypes}: one model's CPU tiers on the same rows, each tier's engine
 * loop and job, with speed and vectors against the float32 tier of the same run. A tier that cannot
 * run here (not installed, not stated) is reported as skipped with the reason. In the first round
 * each engine loop is timed after an untimed pass over all the rows: oneDNN compiles its bfloat16
 * kernels once per input shape, and the job, which runs after the loop in the same JVM, finds them
 * compiled. Rounds alternate the tiers and each tier keeps its best loop and best job, so a slow
 * spell of a shared machine lands on one round, not on one tier.
 */
final class TierBench {

  /**
   * The engine loop and the job of one spec; the loop's vectors go to {@code vectors}, and with
   * {@code warmUp} an untimed pass over the rows comes first.
   */
  interface Measure {
    EngineRun run(ModelSpec spec, float[][] vectors, boolean warmUp);
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

  List<TierRun> run(String model, List<Tier> asked, int rows, int rounds, CpuFeatures cpu) {
    out.printf("bench: CPU features %s%n", cpu.describe());
    Map<Tier, ModelSpec> specs = new LinkedHashMap<>();
    Map<Tier, String> skipped = new LinkedHashMap<>();
    for (Tier tier : withReference(asked)) {
      try {
        specs.put(tier, tiers.spec(model, tier));
      } catch (IllegalArgumentException e) {
        if (tier == Tier.FLOAT32) {
          throw e;
        }
        String why = Messages.rootMessage(e);
        out.printf("bench: %s skipped: %s%n", tier, why);
        skipped.put(tier, why);
      }
    }
    specs.keySet().stream()
        .filter(t -> t == Tier.BFLOAT16)
        .findAny()
        .flatMap(t -> cpu.bfloat16Warning())
        .ifPresent(w -> out.println("bench: warning: " + w));
    Map<Tier, EngineRun> best = new LinkedHashMap<>();
    Map<Tier, float[][]> vectors = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      if (rounds > 1) {
        out.printf("bench: round %d of %d%n", round + 1, rounds);
      }
      for (Map.Entry<Tier, ModelSpec> tier : specs.entrySet()) {
        float[][] roundVectors = round == 0 ? new float[rows][] : null;
        EngineRun run = measure.run(tier.getValue(), roundVectors, round == 0);
        if (round == 0) {
          vectors.put(tier.getKey(), roundVectors);
        }
        best.merge(tier.getKey(), run, EngineRun::best);
      }
    }
    EngineRun float32 = best.get(Tier.FLOAT32);
    float[][] reference = vectors.get(Tier.FLOAT32);
    List<TierRun> runs = new ArrayList<>();
    for (Tier tier : withReference(asked)) {
      if (skipped.containsKey(tier)) {
        runs.add(TierRun.skipped(tier.configName(), model, skipped.get(tier)));
      } else {
        runs.add(
            TierRun.measured(
                tier.configName(),
                specs.get(tier).name(),
                best.get(tier),
                float32,
                Fidelity.of(reference, vectors.get(tier))));
      }
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
