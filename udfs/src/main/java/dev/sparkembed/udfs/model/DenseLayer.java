package dev.sparkembed.udfs.model;

import java.io.Serializable;

/**
 * One sentence-transformers {@code Dense} module, applied to the pooled vector: {@code activation(W
 * x + b)}.
 *
 * @param weights the module's {@code model.safetensors}, holding {@code linear.weight} {@code [out,
 *     in]} and, with {@code bias}, {@code linear.bias} {@code [out]}
 */
public record DenseLayer(
    FileRef weights, int inFeatures, int outFeatures, boolean bias, Activation activation)
    implements Serializable {

  void check(String key) {
    Check.file(key + ".weights", weights);
    Check.require(inFeatures >= 1, key, "in_features", inFeatures, "must be at least 1");
    Check.require(outFeatures >= 1, key, "out_features", outFeatures, "must be at least 1");
    Check.require(activation != null, key, "activation_function", null, "required");
  }

  /** What the fingerprint records of this layer. */
  String canonical() {
    return weights.sha256() + ":" + inFeatures + "x" + outFeatures + ":" + bias + ":" + activation;
  }
}
