package dev.sparkembed.udfs.model;

import java.io.Serializable;
import java.util.List;

/**
 * How the model's token vectors become one vector: pooling, then the Dense layers, then the first
 * {@code dimension} components, then L2 normalisation.
 *
 * @param dense sentence-transformers Dense modules, in order, applied after pooling
 * @param normalize whether the vector is L2-normalised (after truncation: a Matryoshka vector is
 *     re-normalised)
 * @param dimension the vector's length; smaller than the model's width keeps the first components
 * @param matryoshkaDims the lengths the model was trained to be cut to, or empty when unknown
 * @param includePrompt whether the tokens of the prompt before a text (query instruction, passage
 *     prefix) are pooled; sentence-transformers' {@code include_prompt}: false leaves them out of
 *     the pooling (they still go through the model), as NV-Embed-v2 does for its instructions
 */
public record PoolingHead(
    Pooling pooling,
    List<DenseLayer> dense,
    boolean normalize,
    int dimension,
    List<Integer> matryoshkaDims,
    boolean includePrompt)
    implements Serializable {

  PoolingHead validated(String key) {
    Check.require(
        pooling != null,
        key,
        "pooling",
        null,
        "required, one of " + ConfigNames.list(Pooling.class));
    List<DenseLayer> layers = dense == null ? List.of() : List.copyOf(dense);
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).check(key + ".dense[" + i + "]");
      Check.require(
          i == 0 || layers.get(i - 1).outFeatures() == layers.get(i).inFeatures(),
          key,
          "dense[" + i + "].in_features",
          layers.get(i).inFeatures(),
          "must equal the previous layer's out_features");
    }
    Check.require(dimension >= 1, key, "dimension", dimension, "must be at least 1");
    if (!layers.isEmpty()) {
      int width = layers.get(layers.size() - 1).outFeatures();
      Check.require(
          dimension <= width,
          key,
          "dimension",
          dimension,
          "the last Dense layer gives " + width + " components");
    }
    List<Integer> dims = matryoshkaDims == null ? List.of() : List.copyOf(matryoshkaDims);
    Check.require(
        dims.isEmpty() || dims.contains(dimension),
        key,
        "dimension",
        dimension,
        "the model was trained for " + dims + " (matryoshka_dims)");
    Check.require(
        includePrompt || pooling.poolsEveryToken(),
        key,
        "include_prompt",
        false,
        pooling.configName()
            + " pooling does not pool every token, so there are no prompt tokens to leave out;"
            + " include_prompt: false applies to mean, max and mean_sqrt_len pooling");
    return new PoolingHead(pooling, layers, normalize, dimension, dims, includePrompt);
  }

  PoolingHead withDimension(int dims) {
    return new PoolingHead(pooling, dense, normalize, dims, matryoshkaDims, includePrompt);
  }
}
