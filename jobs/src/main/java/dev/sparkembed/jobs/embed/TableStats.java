package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.sparkembed.udfs.spark.EmbeddingTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Counts read back from a written table, so the manifest states what is on disk.
 *
 * @param tokens tokens the model saw, special tokens included: a truncated text's first {@code
 *     limit}, and a chunked text's every window, with the tokens windows repeat
 */
public record TableStats(long rows, long tokens, long truncated) {

  /**
   * @param limit tokens a text is cut to: the max length, or a smaller token budget per batch
   * @param repeatedPerWindow tokens each window after a chunked text's first adds beyond the text's
   *     own (its special tokens and the overlap)
   */
  public static TableStats read(
      SparkSession spark, String table, int limit, int repeatedPerWindow) {
    Column chunks = col(EmbeddingTable.CHUNKS);
    Column tokenCount = col(EmbeddingTable.TOKEN_COUNT);
    Row row =
        spark
            .read()
            .parquet(table)
            .agg(
                count(lit(1)),
                sum(
                    when(
                            chunks.gt(1),
                            tokenCount.plus(chunks.minus(1).multiply(lit(repeatedPerWindow))))
                        .otherwise(least(tokenCount, lit(limit)))),
                sum(when(col(EmbeddingTable.TRUNCATED), 1).otherwise(0)))
            .first();
    return new TableStats(
        row.getLong(0), row.isNullAt(1) ? 0 : row.getLong(1), row.isNullAt(2) ? 0 : row.getLong(2));
  }
}
