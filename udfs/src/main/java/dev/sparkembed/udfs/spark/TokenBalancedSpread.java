package dev.sparkembed.udfs.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Spreads rows over partitions so that each gets about the same number of tokens, not rows: a
 * partition's time is its tokens, and the stage ends when its slowest partition does. Each input
 * partition deals its rows, longest first within windows of bounded size, to whichever target
 * partition has received the fewest estimated tokens so far (greedy longest-processing-time). Runs
 * in one pass with no global sort; memory is bounded by the window.
 */
public final class TokenBalancedSpread {

  static final int WINDOW_ROWS = 4096;

  /** Rough characters per token of English prose for WordPiece and BPE vocabularies. */
  static final double CHARS_PER_TOKEN = 4.0;

  private TokenBalancedSpread() {}

  /** {@code rows} (in {@link EmbeddingTable#INPUT} layout) spread over {@code partitions}. */
  public static Dataset<Row> spread(
      SparkSession spark, Dataset<Row> rows, int partitions, int maxLength) {
    JavaRDD<Row> spread =
        rows.javaRDD()
            .mapPartitionsWithIndex((index, it) -> assign(it, index, partitions, maxLength), true)
            .mapToPair(pair -> pair)
            .partitionBy(new ExactPartitioner(partitions))
            .values();
    return spark.createDataFrame(spread, EmbeddingTable.INPUT);
  }

  /** Estimated tokens of a text of {@code chars} characters, capped at what the model reads. */
  public static long estimate(long chars, int maxLength) {
    return Math.min(maxLength, (long) (chars / CHARS_PER_TOKEN) + 2);
  }

  static Iterator<Tuple2<Integer, Row>> assign(
      Iterator<Row> rows, int inputPartition, int partitions, int maxLength) {
    long[] load = new long[partitions];
    // Input partitions start their dealing at different targets so their remainders spread out.
    for (int p = 0; p < partitions; p++) {
      load[(p + inputPartition) % partitions] = p == 0 ? 0 : 1;
    }
    return new Iterator<>() {
      private final List<Tuple2<Integer, Row>> ready = new ArrayList<>();
      private int next;

      @Override
      public boolean hasNext() {
        if (next < ready.size()) {
          return true;
        }
        ready.clear();
        next = 0;
        List<Tuple2<Long, Row>> window = new ArrayList<>(WINDOW_ROWS);
        while (window.size() < WINDOW_ROWS && rows.hasNext()) {
          Row row = rows.next();
          window.add(new Tuple2<>(estimate(row.getString(2).length(), maxLength), row));
        }
        window.sort((a, b) -> Long.compare(b._1(), a._1()));
        for (Tuple2<Long, Row> estimated : window) {
          int target = 0;
          for (int p = 1; p < partitions; p++) {
            if (load[p] < load[target]) {
              target = p;
            }
          }
          load[target] += estimated._1();
          ready.add(new Tuple2<>(target, estimated._2()));
        }
        return !ready.isEmpty();
      }

      @Override
      public Tuple2<Integer, Row> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.get(next++);
      }
    };
  }

  /** Sends key {@code i} to partition {@code i}. */
  static final class ExactPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    ExactPartitioner(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ExactPartitioner p && p.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }
}
