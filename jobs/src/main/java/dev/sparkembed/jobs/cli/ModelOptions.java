package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelTiers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which models a run uses, from which registry. */
public final class ModelOptions {

  @Option(
      names = "--models",
      split = ",",
      paramLabel = "NAME",
      description = "Models to embed with, comma-separated. Default: the registry's default.")
  List<String> models = new ArrayList<>();

  @Mixin RegistryOptions registry;
  @Mixin EngineOptions engine;

  @Option(
      names = "--passage-prefix",
      paramLabel = "TEXT",
      description =
          "Put TEXT before every paragraph instead of the models' own passage prefix (e.g."
              + " 'query: ' on both sides of a symmetric task with e5). Changes the fingerprint.")
  String passagePrefix;

  @Option(
      names = "--task",
      paramLabel = "TEXT",
      description =
          "The task in the query instruction of models that have one ('Instruct: {task}\\nQuery:'"
              + " of Qwen3-Embedding, gte-Qwen2, NV-Embed-v2), instead of their default task."
              + " Applies to queries only, never to passages; recorded in the fingerprint.")
  String task;

  /** The registry's models in each CPU tier. */
  public ModelTiers tiers() {
    return new ModelTiers(registry.load());
  }

  /** Whether the run names an engine or a precision for every model. */
  public boolean setsEngineOrDtype() {
    return engine.engine != null || engine.dtype != null;
  }

  public List<ModelSpec> resolve() {
    ModelRegistry resolved = registry.load();
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
      ModelSpec spec = engine.apply(resolved, name.trim());
      spec = passagePrefix == null ? spec : spec.withPassagePrefix(passagePrefix);
      specs.add(task == null || !spec.text().query().hasTask() ? spec : spec.withTask(task));
    }
    if (task != null && specs.stream().noneMatch(s -> s.text().query().hasTask())) {
      throw new IllegalArgumentException(
          "Cannot set --task to '"
              + task
              + "': none of the models has a query instruction with {task}");
    }
    return specs;
  }
}
