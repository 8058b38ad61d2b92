package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/** The tokens of a Hugging Face {@code tokenizer.json}: its vocabulary and added tokens. */
public final class TokenizerVocabulary {

  private final Map<String, Integer> ids;
  private final int highestId;

  private TokenizerVocabulary(Map<String, Integer> ids, int highestId) {
    this.ids = ids;
    this.highestId = highestId;
  }

  public static TokenizerVocabulary read(InputStream tokenizerJson) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode json = mapper.readTree(tokenizerJson);
    Map<String, Integer> ids = new HashMap<>();
    int highest = -1;
    JsonNode vocab = json.path("model").path("vocab");
    if (vocab.isObject()) {
      // (JsonNode's own member iterators are deprecated on one Spark line and absent on the other)
      ids.putAll(mapper.convertValue(vocab, new TypeReference<Map<String, Integer>>() {}));
      for (int id : ids.values()) {
        highest = Math.max(highest, id);
      }
    } else if (vocab.isArray()) {
      for (int id = 0;
          id < vocab.size();
          id++) { // Unigram: [token, score] pairs, ids are positions
        ids.put(vocab.get(id).path(0).asText(), id);
      }
      highest = vocab.size() - 1;
    }
    for (JsonNode added : json.path("added_tokens")) {
      ids.put(added.path("content").asText(), added.path("id").asInt());
      highest = Math.max(highest, added.path("id").asInt());
    }
    return new TokenizerVocabulary(ids, highest);
  }

  /** The largest token id the tokenizer can produce. */
  public int highestId() {
    return highestId;
  }

  public OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The token with this id, or null. */
  public String token(int id) {
    for (Map.Entry<String, Integer> entry : ids.entrySet()) {
      if (entry.getValue() == id) {
        return entry.getKey();
      }
    }
    return null;
  }
}
