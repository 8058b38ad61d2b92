package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a batch pads its shorter texts: after their tokens (encoders) or before them (decoders
 * served left-padded). Pooling reads each text's own tokens either way.
 */
public enum Padding {
  RIGHT,
  LEFT;

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  @JsonCreator
  public static Padding fromConfigName(String name) {
    return ConfigNames.parse(Padding.class, name, "padding");
  }

  @Override
  public String toString() {
    return configName();
  }
}
