package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The end-of-sequence token a model folder names: the model's own ({@code config.json}
 * eos_token_id, looked up in {@code tokenizer.json}; the first when it lists several), else the
 * tokenizer's ({@code tokenizer_config.json} eos_token). Qwen3-Embedding shows why the model's
 * comes first: its tokenizer's eos_token is the chat turn's end, {@code <|im_end|>}, while the
 * model pools {@code <|endoftext|>}.
 */
final class EndOfSequence {

  private EndOfSequence() {}

  /** The token, or null when the folder names none. */
  static String named(FileSystem fs, Path root, Path tokenizerJson, JsonNode config)
      throws IOException {
    JsonNode id = config == null ? null : config.get("eos_token_id");
    if (id != null && id.isArray()) {
      id = id.size() == 0 ? null : id.get(0);
    }
    if (id != null && id.canConvertToInt()) {
      try (InputStream in = fs.open(tokenizerJson)) {
        String token = TokenizerVocabulary.read(in).token(id.asInt());
        if (token != null) {
          return token;
        }
      }
    }
    JsonNode tokenizerConfig = ModelFolder.readJson(fs, new Path(root, "tokenizer_config.json"));
    JsonNode eos = tokenizerConfig == null ? null : tokenizerConfig.get("eos_token");
    if (eos == null || eos.isNull()) {
      return null;
    }
    return eos.isObject() ? eos.path("content").asText(null) : eos.asText();
  }
}
