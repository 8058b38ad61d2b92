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
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;

/** The models a run can use, read from a YAML registry ({@code conf/models.yaml}). */
public final class ModelRegistry {

  /** The registry that ships inside the udfs jar, a copy of {@code conf/models.yaml}. */
  public static final String BUILT_IN_RESOURCE = "sparkembed/models.yaml";

  /** The environment variable that sets the models root. */
  public static final String MODELS_ROOT_ENV = "SPARKEMBED_MODELS";

  private final String defaultModel;
  private final String modelsRoot;
  private final Map<String, RegistryEntry> entries;
  private final Map<String, ModelSpec> models;

  private ModelRegistry(
      String defaultModel,
      String modelsRoot,
      Map<String, RegistryEntry> entries,
      Map<String, ModelSpec> models) {
    this.defaultModel = defaultModel;
    this.modelsRoot = modelsRoot;
    this.entries = Collections.unmodifiableMap(entries);
    this.models = new ConcurrentHashMap<>(models);
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

  /**
   * The registry at {@code location}: a local path, or a URI of any file system Hadoop reads
   * ({@code s3a://}, {@code abfss://}, {@code hdfs://}, ...), read through {@link
   * ClusterStorage#configuration()}.
   */
  public static ModelRegistry fromLocation(String location) {
    URI uri;
    try {
      uri = new URI(location.replace(" ", "%20"));
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getScheme() == null || uri.getScheme().length() < 2) {
      return fromFile(Path.of(location));
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    try {
      FileSystem fs = path.getFileSystem(ClusterStorage.configuration());
      if (!(fs.exists(path) && fs.getFileStatus(path).isFile())) {
        throw new IllegalArgumentException("Model registry " + location + " does not exist");
      }
      try (InputStream in = fs.open(path)) {
        return parse(in, location);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read model registry " + location + ": " + e.getMessage(), e);
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
    Map<String, RegistryEntry> entries =
        file.models() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(file.models());
    Map<String, ModelSpec> models = new LinkedHashMap<>();
    for (Map.Entry<String, RegistryEntry> entry : entries.entrySet()) {
      // a model with files is checked now; a model in a folder when it is used (it may not be
      // installed on this machine)
      if (entry.getValue().folder() == null) {
        models.put(entry.getKey(), entry.getValue().resolve(entry.getKey(), null));
      }
    }
    if (file.defaultModel() != null && !entries.containsKey(file.defaultModel())) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot set default to %s: no such model in %s (models: %s)",
              file.defaultModel(), origin, String.join(", ", entries.keySet())));
    }
    return new ModelRegistry(file.defaultModel(), file.modelsRoot(), entries, models);
  }

  /**
   * Where registry folders that are not absolute live: {@code $SPARKEMBED_MODELS}, else the system
   * property {@code sparkembed.models}, else the registry's {@code models_root}, else {@code
   * ~/sparkembed-models}.
   */
  public String modelsRoot() {
    String root = System.getenv(MODELS_ROOT_ENV);
    if (root == null || root.isBlank()) {
      root = System.getProperty("sparkembed.models");
    }
    if (root == null || root.isBlank()) {
      root = modelsRoot;
    }
    if (root == null || root.isBlank()) {
      root = Paths.get(System.getProperty("user.home"), "sparkembed-models").toString();
    }
    return root.replaceAll("/+$", "");
  }

  /** The registry's statement of a model, whether or not it is installed here. */
  public RegistryEntry entry(String name) {
    RegistryEntry entry = entries.get(name);
    if (entry == null) {
      throw unknown(name);
    }
    return entry;
  }

  /** Where the folder of a folder model is, under the models root; null for a model of files. */
  public String folderOf(String name) {
    String folder = entry(name).folder();
    return folder == null ? null : underModelsRoot(folder);
  }

  /** {@code path} as it is, when absolute or a URI; else under the models root. */
  public String underModelsRoot(String path) {
    boolean absolute = path.startsWith("/") || path.matches("[A-Za-z][A-Za-z0-9+.-]*:.*");
    return absolute ? path : modelsRoot() + "/" + path;
  }

  /** Whether a folder model's folder has a tokenizer.json (a model of files: always). */
  public boolean installed(String name) {
    String folder = folderOf(name);
    return folder == null || ModelStore.hashedIfPresent(folder + "/tokenizer.json") != null;
  }

  public String defaultModel() {
    return defaultModel;
  }

  public List<String> names() {
    return new ArrayList<>(entries.keySet());
  }

  /**
   * The model registered under {@code name}; or, for a path or URI, the model folder there; or an
   * error that lists the known names.
   */
  public ModelSpec get(String name) {
    ModelSpec spec = models.get(name);
    if (spec != null) {
      return spec;
    }
    if (!entries.containsKey(name) && (name.contains("/") || name.contains(":"))) {
      return ModelFolder.read(name);
    }
    RegistryEntry entry = entry(name);
    if (!installed(name)) {
      throw new ModelFileException(
          String.format(
              "Model %s is not installed: %s has no tokenizer.json (models root %s, set by $%s"
                  + " or models_root). Install it with: %s",
              name, folderOf(name), modelsRoot(), MODELS_ROOT_ENV, installCommand(name)));
    }
    return models.computeIfAbsent(name, n -> entry.resolve(n, folderOf(n)));
  }

  /** The command that exports a folder model into its folder. */
  public String installCommand(String name) {
    RegistryEntry entry = entry(name);
    if (entry.folder() == null || entry.install() == null) {
      return "-";
    }
    return "python3 deploy/models/export_model.py " + entry.install() + " --out " + folderOf(name);
  }

  private IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException(
        String.format(
            "Unknown model '%s'; the registry has: %s", name, String.join(", ", entries.keySet())));
  }

  private record RegistryFile(
      @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultModel,
      String modelsRoot,
      Map<String, RegistryEntry> models) {}
}
