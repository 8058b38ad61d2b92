package dev.sparkembed.udfs.model;

import java.io.Serializable;

/**
 * The files a text-embedding model is made of.
 *
 * @param model the ONNX graph, run by ONNX Runtime; null for a TorchScript-only model
 * @param tokenizer the Hugging Face {@code tokenizer.json}
 * @param torchscript the TorchScript module, run by PyTorch; null when there is none
 */
public record ModelFiles(FileRef model, FileRef tokenizer, FileRef torchscript)
    implements Serializable {

  public ModelFiles(FileRef model, FileRef tokenizer) {
    this(model, tokenizer, null);
  }

  /** The weights {@code engine} loads. */
  public FileRef weightsFor(EngineType engine) {
    return engine == EngineType.PYTORCH ? torchscript : model;
  }

  public ModelFiles withTorchScript(FileRef file) {
    return new ModelFiles(model, tokenizer, file);
  }
}
