package dev.sparkembed.udfs.model;

import dev.sparkembed.udfs.engine.Pooling;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Everything that decides a model's vectors. Immutable and serializable: the driver resolves and
 * verifies it, executors receive it and load the model it names.
 *
 * @param name the registry key; also the folder of the model's table under the output
 * @param displayName the name users know the model by
 * @param source where the files were published
 * @param engine the DJL engine that runs the model ({@code onnxruntime})
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
  public static final String DTYPE = "float32";

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
    require(ONNX_RUNTIME.equals(engineName), key, "engine", engine, "supported: onnxruntime");
    require(files != null && files.model() != null, key, "files.model", null, "required");
    require(files.tokenizer() != null, key, "files.tokenizer", null, "required");
    checkFile(key + ".files.model", files.model());
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
        files,
        pooling,
        normalize,
        maxLength,
        passagePrefix == null ? "" : passagePrefix,
        queryPrefix == null ? "" : queryPrefix,
        dimension,
        paddingSide);
  }

  public boolean leftPadding() {
    return "left".equals(padding);
  }

  /** This spec with another max length, e.g. to compare with vectors made at another length. */
  public ModelSpec withMaxLength(int newMaxLength) {
    return derive(newMaxLength, passagePrefix, dimension, padding);
  }

  /** This spec with another passage prefix, e.g. {@code "query: "} on both sides for STS. */
  public ModelSpec withPassagePrefix(String prefix) {
    return derive(maxLength, prefix, dimension, padding);
  }

  /**
   * This spec cut to the first {@code newDimension} components (re-normalised when normalising).
   */
  public ModelSpec withDimension(int newDimension) {
    return derive(maxLength, passagePrefix, newDimension, padding);
  }

  /** This spec padding batches on another side ({@code left} or {@code right}). */
  public ModelSpec withPadding(String side) {
    return derive(maxLength, passagePrefix, dimension, side);
  }

  private ModelSpec derive(int length, String prefix, int dims, String side) {
    return new ModelSpec(
            name,
            displayName,
            source,
            engine,
            files,
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
            "model=" + files.model().sha256(),
            "tokenizer=" + files.tokenizer().sha256(),
            "engine=" + engine,
            "dtype=" + DTYPE,
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
