package dev.sparkembed.jobs.search;

import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores every row of a partition of an embedding table against each query (cosine: the dot product
 * over both norms, which is the dot product itself for unit vectors) and keeps each query's best
 * {@code k} rows; the driver merges the partitions' bests.
 */
final class TopHits implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  static final StructType SCHEMA =
      new StructType()
          .add("query", DataTypes.IntegerType, false)
          .add(EmbeddingTable.PAPER_ID, DataTypes.StringType, false)
          .add(EmbeddingTable.PARAGRAPH_INDEX, DataTypes.IntegerType, false)
          .add("cosine", DataTypes.FloatType, false);

  /** Best first: higher cosine, then the smaller key, so ties rank the same on every run. */
  static final Comparator<Hit> BEST_FIRST =
      Comparator.comparing(Hit::cosine, Comparator.reverseOrder())
          .thenComparing(Hit::paperId)
          .thenComparingInt(Hit::paragraphIndex);

  private final float[][] queries;
  private final int k;

  TopHits(float[][] queries, int k) {
    this.queries = unit(queries);
    this.k = k;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    List<PriorityQueue<Hit>> best = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      best.add(new PriorityQueue<>(BEST_FIRST.reversed()));
    }
    while (rows.hasNext()) {
      Row row = rows.next();
      float[] vector = vector(row.getList(2));
      double norm = Math.sqrt(dot(vector, vector));
      if (norm == 0) {
        continue;
      }
      for (int q = 0; q < queries.length; q++) {
        float cosine = (float) (dot(queries[q], vector) / norm);
        PriorityQueue<Hit> top = best.get(q);
        Hit hit = new Hit(q, 0, row.getString(0), row.getInt(1), cosine, null);
        if (top.size() < k) {
          top.add(hit);
        } else if (BEST_FIRST.compare(hit, top.peek()) < 0) {
          top.poll();
          top.add(hit);
        }
      }
    }
    List<Row> out = new ArrayList<>();
    for (PriorityQueue<Hit> top : best) {
      for (Hit hit : top) {
        out.add(RowFactory.create(hit.query(), hit.paperId(), hit.paragraphIndex(), hit.cosine()));
      }
    }
    return out.iterator();
  }

  private static float[] vector(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }

  private static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "a table vector has " + b.length + " components, the query " + a.length);
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static float[][] unit(float[][] vectors) {
    float[][] out = new float[vectors.length][];
    for (int q = 0; q < vectors.length; q++) {
      double norm = Math.sqrt(dot(vectors[q], vectors[q]));
      out[q] = new float[vectors[q].length];
      for (int i = 0; i < out[q].length; i++) {
        out[q][i] = (float) (vectors[q][i] / norm);
      }
    }
    return out;
  }
}
