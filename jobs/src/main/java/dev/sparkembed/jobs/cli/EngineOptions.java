package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.FileRef;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.model.ModelTiers;
import dev.sparkembed.udfs.model.Tier;
import picocli.CommandLine.Option;

/** Which engine runs the models, in which precision, and where their TorchScript copies are. */
public final class EngineOptions {

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description =
          "Run every model with ENGINE: onnxruntime (its ONNX file) or pytorch (its TorchScript"
              + " file: files.torchscript in the registry, model.pt in a model folder, or"
              + " DIR/<model>.pt with --torchscript-dir). Default: each model's own engine.")
  String engine;

  @Option(
      names = "--dtype",
      paramLabel = "DTYPE",
      description =
          "The precision: float32; bfloat16 (a built-in model alone runs its mixed-precision"
              + " TorchScript tier on PyTorch, built by deploy/models/build_cpu_tiers.sh; with"
              + " --engine pytorch, the TorchScript file must hold bfloat16 weights); int8 (the"
              + " model's int8 sibling, e.g. all-minilm-l6-v2-q); float16 with --engine pytorch."
              + " Changes the fingerprint. Default: each model's own.")
  String dtype;

  @Option(
      names = "--torchscript-dir",
      paramLabel = "DIR",
      description =
          "A folder of TorchScript copies named after the models (DIR/all-minilm-l6-v2.pt), for"
              + " models whose registry entry names none.")
  String torchscriptDir;

  /**
   * Model {@code name} of {@code registry} as these options ask; an option that does not apply
   * names itself.
   */
  public ModelSpec apply(ModelRegistry registry, String name) {
    if (dtype != null && engine == null && torchscriptDir == null && Tier.isTier(dtype)) {
      return new ModelTiers(registry).spec(name, Tier.parse(dtype, "--dtype"));
    }
    ModelSpec spec = registry.get(name);
    ModelSpec applied = spec;
    if (torchscriptDir != null && applied.runtime().files().torchscript() == null) {
      String location = torchscriptDir.replaceAll("/+$", "") + "/" + spec.name() + ".pt";
      FileRef file = ModelStore.hashedIfPresent(location);
      if (file == null && EngineType.PYTORCH.configName().equalsIgnoreCase(engine)) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot set --torchscript-dir to %s: it has no %s.pt for model %s (export one"
                    + " with deploy/models/export_model.py)",
                torchscriptDir, spec.name(), spec.name()));
      }
      if (file != null) {
        applied = applied.withTorchScript(file);
      }
    }
    if (engine != null) {
      applied = applied.withEngine(engine);
    }
    if (dtype != null) {
      applied = applied.withDtype(dtype);
    }
    return applied;
  }
}
