package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.sparkembed.udfs.spark.EmbeddingTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Counts read back from a written table, so the manifest states what is on disk.
 *
 * @param tokens tokens the model saw, special tokens included
 */
public record TableStats(long rows, long tokens, long truncated) {

  public static TableStats read(SparkSession spark, String table, int maxLength) {
    Row row =
        spark
            .read()
            .parquet(table)
            .agg(
                count(lit(1)),
                sum(least(col(EmbeddingTable.TOKEN_COUNT), lit(maxLength))),
                sum(when(col(EmbeddingTable.TRUNCATED), 1).otherwise(0)))
            .first();
    return new TableStats(
        row.getLong(0), row.isNullAt(1) ? 0 : row.getLong(1), row.isNullAt(2) ? 0 : row.getLong(2));
  }
}
