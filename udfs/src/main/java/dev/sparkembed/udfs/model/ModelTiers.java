package dev.sparkembed.udfs.model;

/**
 * A registry's models in each CPU {@link Tier}: float32 as registered, bfloat16 from the
 * TorchScript copy its {@code tiers.bfloat16_torchscript} names (installed under the models root by
 * {@code deploy/models/build_cpu_tiers.sh}), int8 as the model its {@code tiers.int8_model} names.
 */
public final class ModelTiers {

  /** The tool that builds the bfloat16 tier, from the repository root. */
  public static final String BUILD_TOOL = "deploy/models/build_cpu_tiers.sh";

  private final ModelRegistry registry;

  public ModelTiers(ModelRegistry registry) {
    this.registry = registry;
  }

  /**
   * Model {@code name} in {@code tier}; an error, before any work, when the tier is not stated or
   * its file is not installed (with the command that builds it).
   */
  public ModelSpec spec(String name, Tier tier) {
    ModelSpec base = registry.get(name);
    return switch (tier) {
      case FLOAT32 -> base.withDtype(Dtype.FLOAT32);
      case BFLOAT16 -> bfloat16(name, base);
      case INT8 -> int8(name, base);
    };
  }

  /** Whether model {@code name} can run in {@code tier} here; false when it has no such tier. */
  public boolean installed(String name, Tier tier) {
    return switch (tier) {
      case FLOAT32 -> registry.installed(name);
      case BFLOAT16 ->
          bfloat16Location(name) != null
              && ModelStore.hashedIfPresent(bfloat16Location(name)) != null;
      case INT8 -> int8Name(name) != null && registry.installed(int8Name(name));
    };
  }

  /** Where model {@code name}'s bfloat16 TorchScript is; null when the registry states none. */
  public String bfloat16Location(String name) {
    Tiers tiers = registry.entry(name).tiers();
    return tiers == null || tiers.bfloat16Torchscript() == null
        ? null
        : registry.underModelsRoot(tiers.bfloat16Torchscript());
  }

  /** The command that builds model {@code name}'s bfloat16 tier where the registry expects it. */
  public String buildCommand(String name) {
    return BUILD_TOOL + " --models-root " + registry.modelsRoot() + " " + name;
  }

  private ModelSpec bfloat16(String name, ModelSpec base) {
    String location = bfloat16Location(name);
    if (location == null) {
      // a model with a TorchScript file of its own: its weights decide, as before tiers
      return base.withDtype(Dtype.BFLOAT16);
    }
    FileRef file = ModelStore.hashedIfPresent(location);
    if (file == null) {
      throw new ModelFileException(
          String.format(
              "The bfloat16 tier of %s is not installed: %s is missing (models root %s, set by $%s"
                  + " or models_root). Build it with: %s (needs python3 with torch and onnx:"
                  + " apt-get install --no-install-recommends python3-torch python3-onnx)",
              name,
              location,
              registry.modelsRoot(),
              ModelRegistry.MODELS_ROOT_ENV,
              buildCommand(name)));
    }
    return base.withTorchScript(file).withEngine(EngineType.PYTORCH).withDtype(Dtype.BFLOAT16);
  }

  private ModelSpec int8(String name, ModelSpec base) {
    if (base.runtime().quantization() == Quantization.DYNAMIC_INT8) {
      return base;
    }
    String int8 = int8Name(name);
    if (int8 == null) {
      throw new IllegalArgumentException(
          String.format(
              "Model %s has no int8 tier: its registry entry names no tiers.int8_model", name));
    }
    return registry.get(int8);
  }

  private String int8Name(String name) {
    if (registry.entry(name).quantization() == Quantization.DYNAMIC_INT8) {
      return name;
    }
    Tiers tiers = registry.entry(name).tiers();
    return tiers == null ? null : tiers.int8Model();
  }
}
