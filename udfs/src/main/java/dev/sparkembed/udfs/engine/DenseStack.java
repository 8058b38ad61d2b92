package dev.sparkembed.udfs.engine;

import dev.sparkembed.udfs.model.Activation;
import dev.sparkembed.udfs.model.DenseLayer;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model's sentence-transformers Dense modules, loaded from their safetensors files: each maps the
 * pooled vector {@code x} to {@code activation(W x + b)}.
 */
final class DenseStack {

  private record Layer(float[] weight, float[] bias, int in, int out, Activation activation) {}

  private final List<Layer> layers;

  private DenseStack(List<Layer> layers) {
    this.layers = layers;
  }

  static DenseStack load(List<DenseLayer> specs) {
    List<Layer> layers = new ArrayList<>(specs.size());
    for (DenseLayer spec : specs) {
      Path file = ModelStore.localCopy(spec.weights());
      try {
        SafeTensors tensors = SafeTensors.open(file);
        long[] expected = {spec.outFeatures(), spec.inFeatures()};
        if (!Arrays.equals(expected, tensors.shape("linear.weight"))) {
          throw new ModelFileException(
              String.format(
                  "Dense weights %s: linear.weight has shape %s, its config says %s",
                  spec.weights().location(),
                  Arrays.toString(tensors.shape("linear.weight")),
                  Arrays.toString(expected)));
        }
        float[] bias = spec.bias() ? tensors.floats("linear.bias") : new float[spec.outFeatures()];
        layers.add(
            new Layer(
                tensors.floats("linear.weight"),
                bias,
                spec.inFeatures(),
                spec.outFeatures(),
                spec.activation()));
      } catch (IOException e) {
        throw new ModelFileException(
            "Cannot read Dense weights " + spec.weights().location() + ": " + e.getMessage(), e);
      }
    }
    return new DenseStack(layers);
  }

  /** The width of the first layer's input, or -1 with no layers. */
  int inputWidth() {
    return layers.isEmpty() ? -1 : layers.get(0).in();
  }

  float[] apply(float[] pooled) {
    float[] x = pooled;
    for (Layer layer : layers) {
      float[] y = new float[layer.out()];
      for (int o = 0; o < layer.out(); o++) {
        double sum = layer.bias()[o];
        int row = o * layer.in();
        for (int i = 0; i < layer.in(); i++) {
          sum += (double) layer.weight()[row + i] * x[i];
        }
        y[o] = layer.activation().apply((float) sum);
      }
      x = y;
    }
    return x;
  }
}
