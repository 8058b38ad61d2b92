package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One model as a registry file states it, or as its folder's files state it. Settings left out come
 * from the model's folder when it names one ({@code folder:}, relative to the models root), or from
 * defaults; {@link #resolve} decides them all.
 *
 * @param queryPrefix what a query needs before it; {@code {task}} in it is replaced by the task
 * @param defaultTask the task of the query instruction when a run names none
 * @param appendEos whether every text must end with the end-of-sequence token (default: when the
 *     pooling is last_token); appended when the tokenizer does not add it
 * @param eosToken that token; default: the folder's ({@code config.json} eos_token_id, else {@code
 *     tokenizer_config.json} eos_token)
 * @param includePrompt whether the tokens of a query's instruction (or a passage's prefix) are
 *     pooled (default true; the folder's {@code 1_Pooling/config.json} include_prompt)
 * @param attention how the model attends (informational: the export decides it)
 * @param install the Hugging Face id {@code deploy/models/export_model.py} exports the folder from
 * @param quantization how the model file's weights are quantized (default none)
 * @param tiers the model's other precisions on CPU, for {@code --dtype}
 * @param dense the folder's Dense modules; not a registry key
 */
public record RegistryEntry(
    String displayName,
    String source,
    EngineType engine,
    Dtype dtype,
    String folder,
    ModelFiles files,
    Pooling pooling,
    Boolean includePrompt,
    Boolean normalize,
    Integer maxLength,
    String passagePrefix,
    String queryPrefix,
    String defaultTask,
    Boolean appendEos,
    String eosToken,
    Integer dimension,
    List<Integer> matryoshkaDims,
    Padding padding,
    Attention attention,
    String install,
    Quantization quantization,
    Tiers tiers,
    @JsonIgnore List<DenseLayer> dense) {

  /** The model, its folder read from {@code folderPath} when the entry names a folder. */
  ModelSpec resolve(String name, String folderPath) {
    RegistryEntry stated =
        folderPath == null ? this : over(ModelFolder.read(name, folderPath, files));
    return stated.toSpec(name);
  }

  /** This entry's settings, with those it leaves out taken from {@code base}. */
  private RegistryEntry over(RegistryEntry base) {
    return new RegistryEntry(
        first(displayName, base.displayName),
        first(source, base.source),
        first(engine, base.engine),
        first(dtype, base.dtype),
        folder,
        base.files,
        first(pooling, base.pooling),
        first(includePrompt, base.includePrompt),
        first(normalize, base.normalize),
        first(maxLength, base.maxLength),
        first(passagePrefix, base.passagePrefix),
        first(queryPrefix, base.queryPrefix),
        first(defaultTask, base.defaultTask),
        first(appendEos, base.appendEos),
        first(eosToken, base.eosToken),
        first(dimension, base.dimension),
        first(matryoshkaDims, base.matryoshkaDims),
        first(padding, base.padding),
        first(attention, base.attention),
        first(install, base.install),
        first(quantization, base.quantization),
        first(tiers, base.tiers),
        first(dense, base.dense));
  }

  ModelSpec toSpec(String name) {
    String key = "models." + name;
    boolean needsEos = first(appendEos, pooling == Pooling.LAST_TOKEN);
    Check.require(
        !needsEos || (eosToken != null && !eosToken.isEmpty()),
        key,
        "eos_token",
        "nothing",
        "the model ends every text with an end-of-sequence token, and neither the registry nor"
            + " the folder (config.json eos_token_id, tokenizer_config.json eos_token) names it;"
            + " set eos_token, or append_eos: false");
    ModelSpec spec =
        new ModelSpec(
                name,
                displayName,
                source,
                new ModelRuntime(engine, dtype, files, quantization),
                new TextFormat(
                    passagePrefix,
                    new QueryInstruction(queryPrefix, defaultTask),
                    needsEos ? eosToken : "",
                    padding,
                    first(maxLength, 0)),
                new PoolingHead(
                    pooling,
                    dense,
                    first(normalize, Boolean.TRUE),
                    first(dimension, 0),
                    matryoshkaDims,
                    first(includePrompt, Boolean.TRUE)))
            .validated();
    if (needsEos) {
      requireToken(spec);
    }
    return spec;
  }

  /** Refuses, before any work, a tokenizer that does not have the end token the model needs. */
  private static void requireToken(ModelSpec spec) {
    FileRef tokenizer = spec.runtime().files().tokenizer();
    try (InputStream in = ModelStore.open(tokenizer)) {
      String token = spec.text().eosToken();
      if (TokenizerVocabulary.read(in).id(token).isEmpty()) {
        throw new ModelFileException(
            String.format(
                "Model %s ends every text with the token '%s', and its tokenizer (%s) has no such"
                    + " token: the tokenizer is not this model's, or eos_token is wrong",
                spec.name(), token, tokenizer.location()));
      }
    } catch (IOException e) {
      throw new ModelFileException(
          "Cannot read tokenizer " + tokenizer.location() + ": " + e.getMessage(), e);
    }
  }

  private static <T> T first(T stated, T fallback) {
    return stated != null ? stated : fallback;
  }
}
