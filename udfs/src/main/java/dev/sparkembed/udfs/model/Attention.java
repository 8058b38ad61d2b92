package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the model's tokens see each other, as its authors trained it for embedding. The exported
 * graph carries it; the registry states it so an export that got it wrong can be told apart.
 */
public enum Attention {
  /** Every token sees every other (encoders, gte-Qwen2, NV-Embed-v2, EmbeddingGemma). */
  BIDIRECTIONAL,
  /** Each token sees those before it (Qwen3-Embedding, jina-code-embeddings). */
  CAUSAL;

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  @JsonCreator
  public static Attention fromConfigName(String name) {
    return ConfigNames.parse(Attention.class, name, "attention");
  }

  @Override
  public String toString() {
    return configName();
  }
}
