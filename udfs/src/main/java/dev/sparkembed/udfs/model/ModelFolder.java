package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model folder in the Hugging Face / sentence-transformers layout, on any file system Hadoop
 * reads: {@code tokenizer.json}, the weights ({@code model.onnx} or {@code onnx/model.onnx} for
 * ONNX Runtime, {@code model.pt} for PyTorch; the ONNX file is the default when both exist), and
 * when present {@code modules.json}, the pooling module's {@code config.json}, {@code
 * sentence_bert_config.json}, {@code config_sentence_transformers.json} and {@code config.json},
 * which decide pooling (and whether prompt tokens are pooled), normalisation, max length, prompts
 * and dimension; {@code tokenizer_config.json}'s padding side; each Dense module's {@code
 * config.json} and {@code model.safetensors}; and the end-of-sequence token ({@code config.json}'s
 * eos_token_id, {@code tokenizer_config.json}'s eos_token). Files are hashed here, on the driver;
 * executors check their copies against these hashes.
 */
public final class ModelFolder {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Pooling> POOLING_MODES =
      Map.of(
          "pooling_mode_cls_token", Pooling.CLS,
          "pooling_mode_mean_tokens", Pooling.MEAN,
          "pooling_mode_max_tokens", Pooling.MAX,
          "pooling_mode_mean_sqrt_len_tokens", Pooling.MEAN_SQRT_LEN,
          "pooling_mode_lasttoken", Pooling.LAST_TOKEN);

  /** sentence-transformers 6 writes {@code "pooling_mode": "mean"} (or a list) instead. */
  private static final Map<String, Pooling> POOLING_MODE_NAMES =
      Map.of(
          "cls", Pooling.CLS,
          "mean", Pooling.MEAN,
          "max", Pooling.MAX,
          "mean_sqrt_len_tokens", Pooling.MEAN_SQRT_LEN,
          "lasttoken", Pooling.LAST_TOKEN);

  /** transformers writes a tokenizer's model_max_length of 1e30 for "no limit". */
  private static final double NO_MAX_LENGTH = 1e9;

  private ModelFolder() {}

  /** A model named after the folder's last path element, every setting from its files. */
  public static ModelSpec read(String folder) {
    String base = new Path(folder).getName().toLowerCase(java.util.Locale.ROOT);
    String name = base.replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
    name = name.isEmpty() ? "model" : name;
    return read(name, folder, null).toSpec(name);
  }

  /**
   * The settings the folder's files state.
   *
   * @param expected hashes the registry states for the files, or null
   */
  static RegistryEntry read(String name, String folder, ModelFiles expected) {
    try {
      Path root = new Path(folder);
      // A path without a scheme is local, as ModelStore reads it; a relative one stays relative,
      // so each JVM finds it in its own working folder (YARN's --archives models.tgz#models)
      FileSystem fs =
          root.toUri().getScheme() == null
              ? FileSystem.getLocal(ClusterStorage.configuration())
              : root.getFileSystem(ClusterStorage.configuration());
      if (root.isAbsolute()) {
        root = fs.makeQualified(root);
      }
      if (!(fs.exists(root) && fs.getFileStatus(root).isDirectory())) {
        throw new ModelFileException("Model folder " + folder + " of " + name + " does not exist");
      }
      Path tokenizer = new Path(root, "tokenizer.json");
      Path model = new Path(root, "model.onnx");
      if (!isFile(fs, model)) {
        model = new Path(root, "onnx/model.onnx");
      }
      Path torchscript = new Path(root, "model.pt");
      boolean hasOnnx = isFile(fs, model);
      boolean hasTorchScript = isFile(fs, torchscript);
      if (!isFile(fs, tokenizer) || !(hasOnnx || hasTorchScript)) {
        throw new ModelFileException(
            "Model folder "
                + root
                + " has no "
                + (isFile(fs, tokenizer) ? "model file" : "tokenizer.json")
                + " (expected tokenizer.json, and model.onnx, onnx/model.onnx or model.pt)");
      }
      JsonNode poolingConfig = null;
      boolean normalize = false;
      List<DenseLayer> dense = new ArrayList<>();
      JsonNode modules = readJson(fs, new Path(root, "modules.json"));
      if (modules != null) {
        for (JsonNode module : modules) {
          String type = module.path("type").asText();
          if (type.endsWith(".Pooling")) {
            poolingConfig =
                readJson(fs, new Path(root, module.path("path").asText() + "/config.json"));
          } else if (type.endsWith(".Dense")) {
            dense.add(dense(fs, new Path(root, module.path("path").asText())));
          } else if (type.endsWith(".Normalize")) {
            normalize = true;
          }
        }
      } else {
        poolingConfig = readJson(fs, new Path(root, "1_Pooling/config.json"));
      }
      JsonNode bert = readJson(fs, new Path(root, "sentence_bert_config.json"));
      JsonNode config = readJson(fs, new Path(root, "config.json"));
      JsonNode tokenizerConfig = readJson(fs, new Path(root, "tokenizer_config.json"));
      int maxLength = maxLength(bert, tokenizerConfig, config);
      int dimension =
          dense.isEmpty()
              ? config != null ? config.path("hidden_size").asInt(0) : 0
              : dense.get(dense.size() - 1).outFeatures();
      JsonNode prompts = readJson(fs, new Path(root, "config_sentence_transformers.json"));
      String queryPrefix = prompts == null ? null : prompt(prompts, "query");
      String passagePrefix =
          prompts == null
              ? null
              : firstNonNull(prompt(prompts, "passage"), prompt(prompts, "document"));
      List<Integer> matryoshka = prompts == null ? null : integers(prompts.get("matryoshka_dims"));
      ModelFiles files =
          new ModelFiles(
              hasOnnx ? hashed(fs, model, expected == null ? null : expected.model()) : null,
              hashed(fs, tokenizer, expected == null ? null : expected.tokenizer()),
              hasTorchScript
                  ? hashed(fs, torchscript, expected == null ? null : expected.torchscript())
                  : null);
      return new RegistryEntry(
          name,
          root.toString(),
          hasOnnx ? EngineType.ONNXRUNTIME : EngineType.PYTORCH,
          null,
          folder,
          files,
          pooling(poolingConfig),
          includePrompt(poolingConfig),
          normalize,
          maxLength,
          passagePrefix,
          queryPrefix,
          null,
          null,
          EndOfSequence.named(fs, root, tokenizer, config),
          dimension,
          matryoshka,
          paddingSide(tokenizerConfig),
          null,
          null,
          null,
          null,
          dense);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model folder " + folder, e);
    }
  }

  static boolean isFile(FileSystem fs, Path path) throws IOException {
    return fs.exists(path) && fs.getFileStatus(path).isFile();
  }

  /**
   * sentence_bert_config.json's max_seq_length; else (sentence-transformers 6 writes none) the
   * tokenizer's model_max_length, within the position table; else the position table.
   */
  private static int maxLength(JsonNode bert, JsonNode tokenizerConfig, JsonNode config) {
    if (bert != null && bert.has("max_seq_length") && !bert.get("max_seq_length").isNull()) {
      return bert.get("max_seq_length").asInt();
    }
    int positions = config == null ? 0 : config.path("max_position_embeddings").asInt(0);
    double tokenizerMax =
        tokenizerConfig == null ? 0 : tokenizerConfig.path("model_max_length").asDouble(0);
    if (tokenizerMax > 0 && tokenizerMax < NO_MAX_LENGTH) {
      return positions > 0 ? Math.min(positions, (int) tokenizerMax) : (int) tokenizerMax;
    }
    return positions;
  }

  /** sentence-transformers' include_prompt (default true): whether prompt tokens are pooled. */
  private static Boolean includePrompt(JsonNode poolingConfig) {
    JsonNode value = poolingConfig == null ? null : poolingConfig.get("include_prompt");
    return value == null || value.isNull() ? null : value.asBoolean(true);
  }

  /** tokenizer_config.json's padding_side ({@code left} or {@code right}), or null. */
  private static Padding paddingSide(JsonNode tokenizerConfig) {
    JsonNode side = tokenizerConfig == null ? null : tokenizerConfig.get("padding_side");
    if (side == null || side.isNull()) {
      return null;
    }
    if (ConfigNames.find(Padding.class, side.asText()).isEmpty()) {
      throw new ModelFileException(
          "tokenizer_config.json says padding_side "
              + side
              + "; sparkembed pads "
              + ConfigNames.list(Padding.class));
    }
    return Padding.fromConfigName(side.asText());
  }

  private static Pooling pooling(JsonNode config) {
    if (config == null) {
      return null;
    }
    JsonNode named = config.get("pooling_mode");
    if (named != null && !named.isNull()) {
      JsonNode only = named.isArray() && named.size() == 1 ? named.get(0) : named;
      Pooling pooling = only.isTextual() ? POOLING_MODE_NAMES.get(only.asText()) : null;
      if (pooling == null) {
        throw new ModelFileException(
            "pooling_mode "
                + named
                + " is not one sparkembed applies ("
                + POOLING_MODE_NAMES.keySet()
                + ")");
      }
      return pooling;
    }
    for (Map.Entry<String, Pooling> mode : POOLING_MODES.entrySet()) {
      if (config.path(mode.getKey()).asBoolean(false)) {
        return mode.getValue();
      }
    }
    return null;
  }

  /** A sentence-transformers Dense module: its config and its {@code model.safetensors}. */
  private static DenseLayer dense(FileSystem fs, Path dir) throws IOException {
    JsonNode config = readJson(fs, new Path(dir, "config.json"));
    Path weights = new Path(dir, "model.safetensors");
    if (config == null || !isFile(fs, weights)) {
      throw new ModelFileException(
          "Dense module "
              + dir
              + " needs config.json and model.safetensors"
              + (isFile(fs, new Path(dir, "pytorch_model.bin"))
                  ? " (it has only pytorch_model.bin, a Python pickle; deploy/models/export_model.py"
                      + " writes model.safetensors)"
                  : ""));
    }
    return new DenseLayer(
        hashed(fs, weights, null),
        config.path("in_features").asInt(0),
        config.path("out_features").asInt(0),
        config.path("bias").asBoolean(true),
        Activation.fromTorchClass(config.path("activation_function").asText(null)));
  }

  private static List<Integer> integers(JsonNode array) {
    if (array == null || !array.isArray()) {
      return null;
    }
    List<Integer> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asInt()));
    return values;
  }

  private static String prompt(JsonNode config, String key) {
    JsonNode value = config.path("prompts").get(key);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }

  static JsonNode readJson(FileSystem fs, Path file) throws IOException {
    if (!isFile(fs, file)) {
      return null;
    }
    try (InputStream in = fs.open(file)) {
      return JSON.readTree(in);
    }
  }

  private static FileRef hashed(FileSystem fs, Path file, FileRef expected) throws IOException {
    String actual;
    try (InputStream in = fs.open(file)) {
      actual = ModelStore.sha256(in);
    }
    if (expected != null && expected.sha256() != null && !expected.sha256().equals(actual)) {
      throw ModelFileException.hashMismatch(file.toString(), actual, expected.sha256());
    }
    return new FileRef(file.toString(), actual);
  }
}
