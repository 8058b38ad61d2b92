package dev.sparkembed.udfs.model;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models by name for code and SQL, as {@code --models} takes them: a registry name, or a model
 * folder's path or URI. Registries and resolved models are kept for the life of this JVM, so a SQL
 * function called once per row resolves its model once.
 */
public final class ModelLookup {

  private static final Map<String, ModelRegistry> REGISTRIES = new ConcurrentHashMap<>();
  private static final Map<List<String>, ModelSpec> SPECS = new ConcurrentHashMap<>();

  private ModelLookup() {}

  /**
   * @param registry a registry's location, or null or empty for the built-in one
   * @param model a registry name or a folder, or null or empty for the registry's default
   */
  public static ModelSpec spec(String registry, String model) {
    String location = registry == null ? "" : registry;
    String name = model == null ? "" : model.trim();
    return SPECS.computeIfAbsent(List.of(location, name), key -> resolve(location, name));
  }

  private static ModelSpec resolve(String location, String name) {
    ModelRegistry models = registry(location);
    if (name.isEmpty()) {
      if (models.defaultModel() == null) {
        throw new IllegalArgumentException("the model registry names no default model: name one");
      }
      return models.get(models.defaultModel());
    }
    return models.get(name);
  }

  /** The registry at {@code location}, or the built-in one for an empty location. */
  public static ModelRegistry registry(String location) {
    return REGISTRIES.computeIfAbsent(
        location == null ? "" : location,
        key -> key.isEmpty() ? ModelRegistry.builtIn() : ModelRegistry.fromLocation(key));
  }
}
