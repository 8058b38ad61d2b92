package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelTiers;
import dev.sparkembed.udfs.model.Tier;
import dev.sparkembed.udfs.model.Tiers;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code models list} and {@code models describe} say of a model's CPU tiers. */
final class CpuTiersListing {
  private CpuTiersListing() {}

  /** Each stated tier and whether it is installed here; how to build the bfloat16 tier if not. */
  static Map<String, String> described(ModelRegistry models, String name) {
    Map<String, String> described = new LinkedHashMap<>();
    Tiers stated = models.entry(name).tiers();
    if (stated == null) {
      return described;
    }
    ModelTiers tiers = new ModelTiers(models);
    if (stated.bfloat16Torchscript() != null) {
      described.put(
          Tier.BFLOAT16.configName(),
          tiers.installed(name, Tier.BFLOAT16)
              ? "installed: " + tiers.bfloat16Location(name)
              : "not installed ("
                  + tiers.bfloat16Location(name)
                  + "); build: "
                  + tiers.buildCommand(name));
    }
    if (stated.int8Model() != null) {
      described.put(
          Tier.INT8.configName(),
          stated.int8Model()
              + (tiers.installed(name, Tier.INT8) ? "" : " (not installed)")
              + ", one text per engine call");
    }
    return described;
  }

  /** The same on one line; empty for a model with no tiers. */
  static String of(ModelRegistry models, String name) {
    StringBuilder line = new StringBuilder();
    described(models, name)
        .forEach(
            (tier, what) ->
                line.append(line.isEmpty() ? "" : "; ").append(tier).append(' ').append(what));
    return line.toString();
  }
}
