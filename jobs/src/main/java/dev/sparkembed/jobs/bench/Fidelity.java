package dev.sparkembed.jobs.bench;

import dev.sparkembed.udfs.engine.Vectors;

/** How close one tier's vectors are to the reference's, row by row: the lowest and mean cosine. */
record Fidelity(double minCosine, double meanCosine) {

  /** {@code vectors} against {@code reference}, the same rows in the same order. */
  static Fidelity of(float[][] reference, float[][] vectors) {
    double min = Double.POSITIVE_INFINITY;
    double sum = 0;
    for (int i = 0; i < reference.length; i++) {
      double cosine = Vectors.cosine(reference[i], vectors[i]);
      min = Math.min(min, cosine);
      sum += cosine;
    }
    return new Fidelity(min, sum / reference.length);
  }
}
