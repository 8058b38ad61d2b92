package dev.sparkembed.udfs.model;

import java.io.Serializable;

/**
 * A model's files and the engine that runs them.
 *
 * @param engine the DJL engine: ONNX Runtime on the ONNX file, PyTorch on the TorchScript file
 * @param dtype the precision the engine computes in: float32, or float16 / bfloat16 on PyTorch (the
 *     TorchScript file must hold weights of that type)
 * @param files the model's files and their hashes
 * @param quantization how the weights file is quantized; a dynamically quantized model runs one
 *     text per engine call, so its vectors do not depend on their batch
 */
public record ModelRuntime(
    EngineType engine, Dtype dtype, ModelFiles files, Quantization quantization)
    implements Serializable {

  public ModelRuntime(EngineType engine, Dtype dtype, ModelFiles files) {
    this(engine, dtype, files, Quantization.NONE);
  }

  /** Fills defaults and checks every setting, naming the registry key of the first bad one. */
  ModelRuntime validated(String key) {
    EngineType engineName = engine == null ? EngineType.ONNXRUNTIME : engine;
    Dtype dtypeName = dtype == null ? Dtype.FLOAT32 : dtype;
    Check.require(
        engineName == EngineType.PYTORCH || dtypeName == Dtype.FLOAT32,
        key,
        "dtype",
        dtypeName,
        "ONNX Runtime computes in the ONNX file's own precision; half precision needs engine"
            + " pytorch");
    Check.require(files != null, key, "files", null, "required");
    String weights = engineName == EngineType.PYTORCH ? "files.torchscript" : "files.model";
    Check.require(
        files.weightsFor(engineName) != null,
        key,
        weights,
        null,
        engineName == EngineType.PYTORCH
            ? "engine pytorch needs a TorchScript file (deploy/models/export_model.py writes one)"
            : "required");
    Check.require(files.tokenizer() != null, key, "files.tokenizer", null, "required");
    Check.file(key + "." + weights, files.weightsFor(engineName));
    Check.file(key + ".files.tokenizer", files.tokenizer());
    return new ModelRuntime(
        engineName, dtypeName, files, quantization == null ? Quantization.NONE : quantization);
  }

  /** The weights file this engine loads. */
  public FileRef weights() {
    return files.weightsFor(engine);
  }

  ModelRuntime withEngine(EngineType newEngine) {
    return new ModelRuntime(newEngine, dtype, files, quantization);
  }

  ModelRuntime withDtype(Dtype newDtype) {
    return new ModelRuntime(engine, newDtype, files, quantization);
  }

  ModelRuntime withTorchScript(FileRef torchscript) {
    return new ModelRuntime(engine, dtype, files.withTorchScript(torchscript), quantization);
  }
}
