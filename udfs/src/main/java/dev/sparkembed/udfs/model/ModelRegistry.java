package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models a run can use, read from a YAML registry ({@code conf/models.yaml}). */
public final class ModelRegistry {

  /** The registry that ships inside the udfs jar, a copy of {@code conf/models.yaml}. */
  public static final String BUILT_IN_RESOURCE = "sparkembed/models.yaml";

  private final String defaultModel;
  private final Map<String, ModelSpec> models;

  private ModelRegistry(String defaultModel, Map<String, ModelSpec> models) {
    this.defaultModel = defaultModel;
    this.models = Collections.unmodifiableMap(models);
  }

  public static ModelRegistry builtIn() {
    try (InputStream in =
        ModelRegistry.class.getClassLoader().getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(BUILT_IN_RESOURCE + " is missing from the classpath");
      }
      return parse(in, BUILT_IN_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ModelRegistry fromFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("Model registry " + file + " does not exist");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model registry " + file, e);
    }
  }

  static ModelRegistry parse(InputStream in, String origin) throws IOException {
    ObjectMapper mapper =
        JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    RegistryFile file;
    try {
      file = mapper.readValue(in, RegistryFile.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Model registry " + origin + " is not valid: " + e.getMessage(), e);
    }
    Map<String, ModelSpec> models = new LinkedHashMap<>();
    if (file.models() != null) {
      for (Map.Entry<String, RegistryEntry> entry : file.models().entrySet()) {
        models.put(entry.getKey(), entry.getValue().resolve(entry.getKey()));
      }
    }
    if (file.defaultModel() != null && !models.containsKey(file.defaultModel())) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot set default to %s: no such model in %s (models: %s)",
              file.defaultModel(), origin, String.join(", ", models.keySet())));
    }
    return new ModelRegistry(file.defaultModel(), models);
  }

  public String defaultModel() {
    return defaultModel;
  }

  public List<String> names() {
    return new ArrayList<>(models.keySet());
  }

  /**
   * The model registered under {@code name}; or, for a path or URI, the model folder there; or an
   * error that lists the known names.
   */
  public ModelSpec get(String name) {
    ModelSpec spec = models.get(name);
    if (spec == null && (name.contains("/") || name.contains(":"))) {
      return ModelFolder.read(name);
    }
    if (spec == null) {
      throw new IllegalArgumentException(
          String.format(
              "Unknown model '%s'; the registry has: %s",
              name, String.join(", ", models.keySet())));
    }
    return spec;
  }

  private record RegistryFile(
      @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultModel,
      Map<String, RegistryEntry> models) {}
}
