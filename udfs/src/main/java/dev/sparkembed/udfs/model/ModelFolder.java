package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.udfs.engine.Pooling;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model folder in the Hugging Face / sentence-transformers layout, on any file system Hadoop
 * reads: {@code tokenizer.json}, the weights ({@code model.onnx} or {@code onnx/model.onnx} for
 * ONNX Runtime, {@code model.pt} for PyTorch; the ONNX file is the default when both exist), and
 * when present {@code modules.json}, the pooling module's {@code config.json}, {@code
 * sentence_bert_config.json}, {@code config_sentence_transformers.json} and {@code config.json},
 * which decide pooling, normalisation, max length, prompts and dimension. Files are hashed here, on
 * the driver; executors check their copies against these hashes.
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

  private ModelFolder() {}

  /** A model named after the folder's last path element, every setting from its files. */
  public static ModelSpec read(String folder) {
    String base = new Path(folder).getName().toLowerCase(java.util.Locale.ROOT);
    String name = base.replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
    return read(name.isEmpty() ? "model" : name, folder, null).validated();
  }

  /**
   * @param expected hashes the registry states for the files, or null
   */
  static ModelSpec read(String name, String folder, ModelFiles expected) {
    try {
      Path root = new Path(folder);
      FileSystem fs = root.getFileSystem(new Configuration());
      root = fs.makeQualified(root);
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
      Pooling pooling = null;
      boolean normalize = false;
      JsonNode modules = readJson(fs, new Path(root, "modules.json"));
      if (modules != null) {
        for (JsonNode module : modules) {
          String type = module.path("type").asText();
          if (type.endsWith(".Pooling")) {
            pooling =
                pooling(
                    readJson(fs, new Path(root, module.path("path").asText() + "/config.json")));
          } else if (type.endsWith(".Normalize")) {
            normalize = true;
          }
        }
      } else {
        pooling = pooling(readJson(fs, new Path(root, "1_Pooling/config.json")));
      }
      JsonNode bert = readJson(fs, new Path(root, "sentence_bert_config.json"));
      JsonNode config = readJson(fs, new Path(root, "config.json"));
      int maxLength =
          bert != null && bert.has("max_seq_length")
              ? bert.get("max_seq_length").asInt()
              : config != null ? config.path("max_position_embeddings").asInt(0) : 0;
      int dimension = config != null ? config.path("hidden_size").asInt(0) : 0;
      JsonNode prompts = readJson(fs, new Path(root, "config_sentence_transformers.json"));
      String queryPrefix = prompts == null ? null : prompt(prompts, "query");
      String passagePrefix =
          prompts == null
              ? null
              : firstNonNull(prompt(prompts, "passage"), prompt(prompts, "document"));
      ModelFiles files =
          new ModelFiles(
              hasOnnx ? hashed(fs, model, expected == null ? null : expected.model()) : null,
              hashed(fs, tokenizer, expected == null ? null : expected.tokenizer()),
              hasTorchScript
                  ? hashed(fs, torchscript, expected == null ? null : expected.torchscript())
                  : null);
      return new ModelSpec(
          name,
          name,
          root.toString(),
          hasOnnx ? ModelSpec.ONNX_RUNTIME : ModelSpec.PYTORCH,
          null,
          files,
          pooling,
          normalize,
          maxLength,
          passagePrefix,
          queryPrefix,
          dimension,
          null);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model folder " + folder, e);
    }
  }

  private static boolean isFile(FileSystem fs, Path path) throws IOException {
    return fs.exists(path) && fs.getFileStatus(path).isFile();
  }

  private static Pooling pooling(JsonNode config) {
    if (config == null) {
      return null;
    }
    for (Map.Entry<String, Pooling> mode : POOLING_MODES.entrySet()) {
      if (config.path(mode.getKey()).asBoolean(false)) {
        return mode.getValue();
      }
    }
    return null;
  }

  private static String prompt(JsonNode config, String key) {
    JsonNode value = config.path("prompts").get(key);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }

  private static JsonNode readJson(FileSystem fs, Path file) throws IOException {
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
