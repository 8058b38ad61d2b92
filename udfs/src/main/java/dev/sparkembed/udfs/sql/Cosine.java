package dev.sparkembed.udfs.sql;

import org.apache.spark.sql.api.java.UDF2;
import scala.collection.Seq;

/** {@code cosine(a, b)}: the cosine of two vectors of equal length; null when either is null. */
final class Cosine implements UDF2<Seq<Float>, Seq<Float>, Float> {
  private static final long serialVersionUID = 1L;

  @Override
  public Float call(Seq<Float> a, Seq<Float> b) {
    if (a == null || b == null) {
      return null;
    }
    if (a.length() != b.length()) {
      throw new IllegalArgumentException(
          "cosine: the vectors have " + a.length() + " and " + b.length() + " components");
    }
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length(); i++) {
      double x = a.apply(i);
      double y = b.apply(i);
      dot += x * y;
      normA += x * x;
      normB += y * y;
    }
    if (normA == 0 || normB == 0) {
      return null;
    }
    return (float) (dot / Math.sqrt(normA * normB));
  }
}
