package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The DJL engine that runs a model, and which of its files it loads. */
public enum EngineType {
  /** ONNX Runtime, on the ONNX file; takes its inputs by name. */
  ONNXRUNTIME("OnnxRuntime"),
  /** PyTorch, on the TorchScript file; takes its inputs by position. */
  PYTORCH("PyTorch");

  private final String djlName;

  EngineType(String djlName) {
    this.djlName = djlName;
  }

  /** The name DJL knows the engine by. */
  public String djlName() {
    return djlName;
  }

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  @JsonCreator
  public static EngineType fromConfigName(String name) {
    return ConfigNames.parse(EngineType.class, name, "engine");
  }

  @Override
  public String toString() {
    return configName();
  }
}
