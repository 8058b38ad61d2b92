package dev.sparkembed.udfs.model;

import java.util.Arrays;

/**
 * The activation of a sentence-transformers {@code Dense} module, named in its {@code config.json}
 * by the torch class ({@code activation_function}).
 */
public enum Activation {
  IDENTITY("torch.nn.modules.linear.Identity") {
    @Override
    public float apply(float x) {
      return x;
    }
  },
  TANH("torch.nn.modules.activation.Tanh") {
    @Override
    public float apply(float x) {
      return (float) Math.tanh(x);
    }
  },
  RELU("torch.nn.modules.activation.ReLU") {
    @Override
    public float apply(float x) {
      return Math.max(0f, x);
    }
  },
  SIGMOID("torch.nn.modules.activation.Sigmoid") {
    @Override
    public float apply(float x) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
  };

  private final String torchClass;

  Activation(String torchClass) {
    this.torchClass = torchClass;
  }

  public abstract float apply(float x);

  public String torchClass() {
    return torchClass;
  }

  /** The activation a Dense config names; sentence-transformers' default is {@code Tanh}. */
  public static Activation fromTorchClass(String name) {
    if (name == null || name.isBlank()) {
      return TANH;
    }
    return Arrays.stream(values())
        .filter(a -> a.torchClass.equals(name) || a.name().equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ModelFileException(
                    "Dense activation "
                        + name
                        + " is not one sparkembed applies; it knows "
                        + Arrays.toString(
                            Arrays.stream(values()).map(Activation::torchClass).toArray())));
  }
}
