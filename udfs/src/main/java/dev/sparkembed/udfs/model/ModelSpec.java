package dev.sparkembed.udfs.model;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Everything that decides a model's vectors. Immutable and serializable: the driver resolves and
 * verifies it, executors receive it and load the model it names.
 *
 * @param name the registry key; also the folder of the model's table under the output
 * @param displayName the name users know the model by
 * @param source where the files were published
 * @param runtime the files and the engine that runs them
 * @param text how a text becomes tokens: prefixes, query instruction, end token, padding, length
 * @param head how token vectors become one vector: pooling, Dense layers, dimension, normalisation
 */
public record ModelSpec(
    String name,
    String displayName,
    String source,
    ModelRuntime runtime,
    TextFormat text,
    PoolingHead head)
    implements Serializable {

  /** Fills defaults and checks every setting, naming the registry key of the first bad one. */
  public ModelSpec validated() {
    String key = "models." + name;
    Check.require(
        name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"),
        key,
        "name",
        name,
        "use letters, digits, '.', '_' and '-' only");
    Check.require(runtime != null, key, "files", null, "required");
    Check.require(text != null, key, "max_length", null, "required");
    Check.require(head != null, key, "pooling", null, "required");
    return new ModelSpec(
        name,
        displayName == null || displayName.isBlank() ? name : displayName,
        source == null ? "" : source,
        runtime.validated(key),
        text.validated(key),
        head.validated(key));
  }

  /** The weights file this spec's engine loads. */
  public FileRef weights() {
    return runtime.weights();
  }

  /** This spec with another max length, e.g. to compare with vectors made at another length. */
  public ModelSpec withMaxLength(int newMaxLength) {
    return with(runtime, text.withMaxLength(newMaxLength), head);
  }

  /** This spec with another passage prefix, e.g. {@code "query: "} on both sides for STS. */
  public ModelSpec withPassagePrefix(String prefix) {
    return with(runtime, text.withPassagePrefix(prefix), head);
  }

  /** This spec with another task in its query instruction (queries only, never passages). */
  public ModelSpec withTask(String task) {
    Check.require(
        text.query().hasTask(),
        "models." + name,
        "default_task",
        task,
        "the model's query instruction has no " + QueryInstruction.TASK);
    return with(runtime, text.withDefaultTask(task), head);
  }

  /**
   * This spec cut to the first {@code newDimension} components (re-normalised when normalising).
   */
  public ModelSpec withDimension(int newDimension) {
    return with(runtime, text, head.withDimension(newDimension));
  }

  /** This spec padding batches on another side. */
  public ModelSpec withPadding(Padding side) {
    return with(runtime, text.withPadding(side), head);
  }

  /** This spec run by another engine, named as in the registry ({@code onnxruntime}, ...). */
  public ModelSpec withEngine(String newEngine) {
    return withEngine(parse(EngineType.class, "engine", newEngine));
  }

  public ModelSpec withEngine(EngineType newEngine) {
    return with(runtime.withEngine(newEngine), text, head);
  }

  /** This spec computing in another precision, named as in the registry ({@code float16}, ...). */
  public ModelSpec withDtype(String newDtype) {
    return withDtype(parse(Dtype.class, "dtype", newDtype));
  }

  public ModelSpec withDtype(Dtype newDtype) {
    return with(runtime.withDtype(newDtype), text, head);
  }

  /** This spec with a TorchScript copy of its model, for the PyTorch engine. */
  public ModelSpec withTorchScript(FileRef torchscript) {
    return with(runtime.withTorchScript(torchscript), text, head);
  }

  private <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
    Check.require(
        ConfigNames.find(type, value).isPresent(),
        "models." + name,
        field,
        value,
        "one of " + ConfigNames.list(type));
    return ConfigNames.parse(type, value, field);
  }

  private ModelSpec with(ModelRuntime newRuntime, TextFormat newText, PoolingHead newHead) {
    return new ModelSpec(name, displayName, source, newRuntime, newText, newHead).validated();
  }

  /** A hash of every setting that changes the vectors; tables built with equal ones agree. */
  public String fingerprint() {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "model=" + weights().sha256(),
                "tokenizer=" + runtime.files().tokenizer().sha256(),
                "engine=" + runtime.engine(),
                "dtype=" + runtime.dtype(),
                "pooling=" + head.pooling().configName(),
                "normalize=" + head.normalize(),
                "max_length=" + text.maxLength(),
                "passage_prefix=" + text.passagePrefix(),
                "dimension=" + head.dimension()));
    // settings added later are recorded only when set, so earlier tables keep their fingerprints
    if (text.appendsEos()) {
      lines.add("eos_token=" + text.eosToken());
    }
    if (!text.query().template().isEmpty()) {
      lines.add("query_prefix=" + text.query().template());
      lines.add("default_task=" + text.query().defaultTask());
    }
    if (!head.includePrompt()) {
      lines.add("include_prompt=false");
    }
    if (runtime.quantization() != Quantization.NONE) {
      lines.add("quantization=" + runtime.quantization());
    }
    for (DenseLayer layer : head.dense()) {
      lines.add("dense=" + layer.canonical());
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
