package dev.sparkembed.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * How the token vectors of one text become one vector. Every method reads only the text's own
 * tokens (wherever padding puts them), so the result does not depend on the other texts in the
 * batch.
 */
public enum Pooling {
  MEAN {
    @Override
    void pool(float[] hidden, int offset, int length, int width, float[] out) {
      sum(hidden, offset, length, width, out);
      scale(out, 1.0f / length);
    }
  },
  CLS {
    @Override
    void pool(float[] hidden, int offset, int length, int width, float[] out) {
      System.arraycopy(hidden, offset, out, 0, width);
    }
  },
  MAX {
    @Override
    void pool(float[] hidden, int offset, int length, int width, float[] out) {
      Arrays.fill(out, Float.NEGATIVE_INFINITY);
      for (int t = 0; t < length; t++) {
        int base = offset + t * width;
        for (int h = 0; h < width; h++) {
          out[h] = Math.max(out[h], hidden[base + h]);
        }
      }
    }
  },
  MEAN_SQRT_LEN {
    @Override
    void pool(float[] hidden, int offset, int length, int width, float[] out) {
      sum(hidden, offset, length, width, out);
      scale(out, (float) (1.0 / Math.sqrt(length)));
    }
  },
  LAST_TOKEN {
    @Override
    void pool(float[] hidden, int offset, int length, int width, float[] out) {
      System.arraycopy(hidden, offset + (length - 1) * width, out, 0, width);
    }
  },
  /**
   * The model's graph pools itself (NV-Embed-v2's latent attention): its output is one vector per
   * text, a {@code [rows, width]} tensor, read as one position per row.
   */
  MODEL {
    @Override
    void pool(float[] hidden, int offset, int length, int width, float[] out) {
      System.arraycopy(hidden, offset, out, 0, width);
    }

    @Override
    public boolean graphPools() {
      return true;
    }
  };

  /**
   * Pools row {@code row} of a {@code [rows, seqLen, width]} hidden-state tensor whose positions
   * {@code start .. start+length-1} are the text's tokens (start is 0 with right padding).
   */
  public float[] pool(float[] hidden, int row, int seqLen, int width, int start, int length) {
    float[] out = new float[width];
    pool(hidden, (row * seqLen + start) * width, length, width, out);
    return out;
  }

  abstract void pool(float[] hidden, int offset, int length, int width, float[] out);

  /** Whether the model's own graph returns the pooled vector, one {@code [width]} row per text. */
  public boolean graphPools() {
    return false;
  }

  /**
   * Whether every one of the text's tokens goes into the vector, so that leaving the prompt's
   * tokens out ({@code include_prompt: false}) changes it: mean, max and mean_sqrt_len.
   */
  public boolean poolsEveryToken() {
    return this == MEAN || this == MAX || this == MEAN_SQRT_LEN;
  }

  @JsonValue
  public String configName() {
    return ConfigNames.of(this);
  }

  @JsonCreator
  public static Pooling fromConfigName(String name) {
    return ConfigNames.parse(Pooling.class, name, "pooling");
  }

  private static void sum(float[] hidden, int offset, int length, int width, float[] out) {
    for (int t = 0; t < length; t++) {
      int base = offset + t * width;
      for (int h = 0; h < width; h++) {
        out[h] += hidden[base + h];
      }
    }
  }

  private static void scale(float[] v, float factor) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= factor;
    }
  }
}
