package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The precision an engine computes in. */
public enum Dtype {
  FLOAT32,
  FLOAT16,
  BFLOAT16;

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  @JsonCreator
  public static Dtype fromConfigName(String name) {
    return ConfigNames.parse(Dtype.class, name, "dtype");
  }

  @Override
  public String toString() {
    return configName();
  }
}
