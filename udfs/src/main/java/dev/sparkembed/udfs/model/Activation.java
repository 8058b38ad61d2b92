package dev.sparkembed.udfs.model;

import java.util.Arrays;
import java.util.List;

/**
 * The activation of a sentence-transformers {@code Dense} module, named in its {@code config.json}
 * by the class sentence-transformers instantiates ({@code activation_function}): a torch class, or
 * one of transformers' activations, which name the tanh approximation of GELU apart from the exact
 * one.
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
  },
  /** {@code x Φ(x)} with the normal distribution's exact CDF, as torch's {@code GELU()}. */
  GELU("torch.nn.modules.activation.GELU", "transformers.activations.GELUActivation") {
    @Override
    public float apply(float x) {
      return (float) (0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0))));
    }
  },
  /** The tanh approximation of GELU, as torch's {@code GELU(approximate="tanh")}. */
  GELU_TANH(
      "transformers.activations.NewGELUActivation",
      "transformers.activations.PytorchGELUTanh",
      "transformers.activations.GELUTanh") {
    @Override
    public float apply(float x) {
      double inner = Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x);
      return (float) (0.5 * x * (1.0 + Math.tanh(inner)));
    }
  };

  private final List<String> classNames;

  Activation(String... classNames) {
    this.classNames = List.of(classNames);
  }

  public abstract float apply(float x);

  /** The class sentence-transformers writes for this activation. */
  public String torchClass() {
    return classNames.get(0);
  }

  /** The activation a Dense config names; sentence-transformers' default is {@code Tanh}. */
  public static Activation fromTorchClass(String name) {
    if (name == null || name.isBlank()) {
      return TANH;
    }
    return Arrays.stream(values())
        .filter(a -> a.classNames.contains(name) || a.name().equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ModelFileException(
                    "Dense activation "
                        + name
                        + " is not one sparkembed applies; it knows "
                        + Arrays.stream(values()).flatMap(a -> a.classNames.stream()).toList()));
  }
}
