package dev.sparkembed.udfs.engine;

import java.util.Arrays;

/** Arithmetic on embedding vectors. */
public final class Vectors {
  private Vectors() {}

  /** Keeps the first {@code dimension} components, then L2-normalises when asked. */
  public static float[] finish(float[] pooled, int dimension, boolean normalize) {
    float[] v = dimension < pooled.length ? Arrays.copyOf(pooled, dimension) : pooled;
    if (normalize) {
      normalizeInPlace(v);
    }
    return v;
  }

  public static void normalizeInPlace(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    double norm = Math.sqrt(sum);
    if (norm > 0) {
      float inverse = (float) (1.0 / norm);
      for (int i = 0; i < v.length; i++) {
        v[i] *= inverse;
      }
    }
  }

  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
