package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Option;

/** Which models a run uses, from which registry. */
public final class ModelOptions {

  @Option(
      names = "--models",
      split = ",",
      paramLabel = "NAME",
      description = "Models to embed with, comma-separated. Default: the registry's default.")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--model-registry",
      paramLabel = "FILE",
      description = "A model registry (YAML) to use instead of the built-in conf/models.yaml.")
  Path registry;

  public ModelRegistry registry() {
    return registry == null ? ModelRegistry.builtIn() : ModelRegistry.fromFile(registry);
  }

  public List<ModelSpec> resolve() {
    ModelRegistry resolved = registry();
    List<String> names = new ArrayList<>(new LinkedHashSet<>(models));
    if (names.isEmpty()) {
      if (resolved.defaultModel() == null) {
        throw new IllegalArgumentException(
            "Cannot set --models to nothing: the registry names no default; pass --models");
      }
      names.add(resolved.defaultModel());
    }
    List<ModelSpec> specs = new ArrayList<>();
    for (String name : names) {
      specs.add(resolved.get(name.trim()));
    }
    return specs;
  }
}
