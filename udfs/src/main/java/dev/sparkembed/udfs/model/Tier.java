package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The precisions a built-in model runs in on CPU, as {@code --dtype} and the bench's {@code
 * --dtypes} name them: float32 on ONNX Runtime, bfloat16 on PyTorch from the model's
 * mixed-precision TorchScript tier, int8 on ONNX Runtime from the model's dynamically quantized
 * sibling.
 */
public enum Tier {
  FLOAT32,
  BFLOAT16,
  INT8;

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  /** The tier named {@code name}, or an error naming {@code option} and the tiers. */
  public static Tier parse(String name, String option) {
    return ConfigNames.find(Tier.class, name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    String.format(
                        "Cannot set %s to %s: expected one of %s",
                        option, name, ConfigNames.list(Tier.class))));
  }

  /** Whether {@code name} names a tier. */
  public static boolean isTier(String name) {
    return ConfigNames.find(Tier.class, name).isPresent();
  }

  @Override
  public String toString() {
    return configName();
  }
}
