package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a model file's weights are quantized. {@code dynamic_int8}: ONNX Runtime's dynamic
 * quantization (DynamicQuantizeLinear, MatMulInteger), which takes one activation scale per tensor
 * of the whole padded batch, so a text's vector would depend on its batch-mates: such a model runs
 * one text per engine call.
 */
public enum Quantization {
  NONE,
  DYNAMIC_INT8;

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  @JsonCreator
  public static Quantization fromConfigName(String name) {
    return ConfigNames.parse(Quantization.class, name, "quantization");
  }

  @Override
  public String toString() {
    return configName();
  }
}
