package dev.sparkembed.udfs.model;

import dev.sparkembed.udfs.engine.Pooling;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Everything that decides a model's vectors. Immutable and serializable: the driver resolves and
 * verifies it, executors receive it and load the model it names.
 *
 * @param name the registry key; also the folder of the model's table under the output
 * @param displayName the name users know the model by
 * @param source where the files were published
 * @param engine the DJL engine that runs the model: {@code onnxruntime} (the ONNX file) or {@code
 *     pytorch} (the TorchScript file)
 * @param dtype the precision the engine computes in: {@code float32}, or {@code float16} / {@code
 *     bfloat16} on PyTorch (the TorchScript file must hold weights of that type)
 * @param files the model's files and their hashes
 * @param pooling how token vectors become one vector
 * @param normalize whether the vector is L2-normalised
 * @param maxLength tokens per text, special tokens included; longer texts are truncated
 * @param passagePrefix text put before every paragraph
 * @param queryPrefix text a query needs before it to be comparable with these passages
 * @param dimension the vector's length; smaller than the model's width keeps the first components
 * @param padding {@code right} (encoders) or {@code left} (decoders served left-padded); pooling
 *     reads each text's own tokens either way, so it does not change the vectors
 */
public record ModelSpec(
    String name,
    String displayName,
    String source,
    String engine,
    String dtype,
    ModelFiles files,
    Pooling pooling,
    boolean normalize,
    int maxLength,
    String passagePrefix,
    String queryPrefix,
    int dimension,
    String padding)
    implements Serializable {

  public static final String ONNX_RUNTIME = "onnxruntime";
  public static final String PYTORCH = "pytorch";
  public static final String FLOAT32 = "float32";
  public static final List<String> ENGINES = List.of(ONNX_RUNTIME, PYTORCH);
  public static final List<String> DTYPES = List.of(FLOAT32, "float16", "bfloat16");

  /** Fills defaults and checks every setting, naming the registry key of the first bad one. */
  public ModelSpec validated() {
    String key = "models." + name;
    require(
        name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"),
        key,
        "name",
        name,
        "use letters, digits, '.', '_' and '-' only");
    String engineName = engine == null ? ONNX_RUNTIME : engine.toLowerCase(Locale.ROOT);
    require(
        ENGINES.contains(engineName),
        key,
        "engine",
        engine,
        "one of " + String.join(", ", ENGINES));
    String dtypeName = dtype == null ? FLOAT32 : dtype.toLowerCase(Locale.ROOT);
    require(DTYPES.contains(dtypeName), key, "dtype", dtype, "one of " + String.join(", ", DTYPES));
    require(
        PYTORCH.equals(engineName) || FLOAT32.equals(dtypeName),
        key,
        "dtype",
        dtype,
        "ONNX Runtime computes in the ONNX file's own precision; half precision needs engine"
            + " pytorch");
    require(files != null, key, "files", null, "required");
    String weights = PYTORCH.equals(engineName) ? "files.torchscript" : "files.model";
    require(
        files.weightsFor(engineName) != null,
        key,
        weights,
        null,
        PYTORCH.equals(engineName)
            ? "engine pytorch needs a TorchScript file (deploy/models/export_model.py writes one)"
            : "required");
    require(files.tokenizer() != null, key, "files.tokenizer", null, "required");
    checkFile(key + "." + weights, files.weightsFor(engineName));
    checkFile(key + ".files.tokenizer", files.tokenizer());
    require(
        pooling != null,
        key,
        "pooling",
        null,
        "required, one of " + String.join(", ", Pooling.configNames()));
    require(maxLength >= 2, key, "max_length", maxLength, "must be at least 2");
    require(dimension >= 1, key, "dimension", dimension, "must be at least 1");
    String paddingSide = padding == null ? "right" : padding.toLowerCase(Locale.ROOT);
    require(
        paddingSide.equals("right") || paddingSide.equals("left"),
        key,
        "padding",
        padding,
        "left or right");
    return new ModelSpec(
        name,
        displayName == null || displayName.isBlank() ? name : displayName,
        source == null ? "" : source,
        engineName,
        dtypeName,
        files,
        pooling,
        normalize,
        maxLength,
        passagePrefix == null ? "" : passagePrefix,
        queryPrefix == null ? "" : queryPrefix,
        dimension,
        paddingSide);
  }

  /** The weights file this spec's engine loads. */
  public FileRef weights() {
    return files.weightsFor(engine);
  }

  public boolean leftPadding() {
    return "left".equals(padding);
  }

  /** This spec with another max length, e.g. to compare with vectors made at another length. */
  public ModelSpec withMaxLength(int newMaxLength) {
    return derive(engine, dtype, files, newMaxLength, passagePrefix, dimension, padding);
  }

  /** This spec with another passage prefix, e.g. {@code "query: "} on both sides for STS. */
  public ModelSpec withPassagePrefix(String prefix) {
    return derive(engine, dtype, files, maxLength, prefix, dimension, padding);
  }

  /**
   * This spec cut to the first {@code newDimension} components (re-normalised when normalising).
   */
  public ModelSpec withDimension(int newDimension) {
    return derive(engine, dtype, files, maxLength, passagePrefix, newDimension, padding);
  }

  /** This spec padding batches on another side ({@code left} or {@code right}). */
  public ModelSpec withPadding(String side) {
    return derive(engine, dtype, files, maxLength, passagePrefix, dimension, side);
  }

  /** This spec run by another engine ({@code onnxruntime} or {@code pytorch}). */
  public ModelSpec withEngine(String newEngine) {
    return derive(newEngine, dtype, files, maxLength, passagePrefix, dimension, padding);
  }

  /** This spec computing in another precision ({@code float32}, {@code float16}, ...). */
  public ModelSpec withDtype(String newDtype) {
    return derive(engine, newDtype, files, maxLength, passagePrefix, dimension, padding);
  }

  /** This spec with a TorchScript copy of its model, for the PyTorch engine. */
  public ModelSpec withTorchScript(FileRef torchscript) {
    return derive(
        engine,
        dtype,
        files.withTorchScript(torchscript),
        maxLength,
        passagePrefix,
        dimension,
        padding);
  }

  private ModelSpec derive(
      String newEngine,
      String newDtype,
      ModelFiles newFiles,
      int length,
      String prefix,
      int dims,
      String side) {
    return new ModelSpec(
            name,
            displayName,
            source,
            newEngine,
            newDtype,
            newFiles,
            pooling,
            normalize,
            length,
            prefix,
            queryPrefix,
            dims,
            side)
        .validated();
  }

  /** A hash of every setting that changes the vectors; tables built with equal ones agree. */
  public String fingerprint() {
    String canonical =
        String.join(
            "\n",
            "model=" + weights().sha256(),
            "tokenizer=" + files.tokenizer().sha256(),
            "engine=" + engine,
            "dtype=" + dtype,
            "pooling=" + pooling.configName(),
            "normalize=" + normalize,
            "max_length=" + maxLength,
            "passage_prefix=" + passagePrefix,
            "dimension=" + dimension);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkFile(String key, FileRef file) {
    require(
        file.location() != null && !file.location().isBlank(),
        key,
        "location",
        file.location(),
        "required");
    require(
        file.sha256() != null && file.sha256().matches("[0-9a-f]{64}"),
        key,
        "sha256",
        file.sha256(),
        "must be 64 lowercase hex digits (sha256sum FILE prints it)");
  }

  private static void require(boolean ok, String key, String field, Object value, String why) {
    if (!ok) {
      throw new IllegalArgumentException(
          String.format("Cannot set %s.%s to %s: %s", key, field, value, why));
    }
  }
}
