package dev.sparkembed.jobs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Two embedding tables compared key by key.
 *
 * @param keys keys in either table
 * @param inOneOnly keys in one table only
 * @param lowestCosine the lowest cosine between a key's two (unit) vectors
 * @param largestDifference the largest difference of one component
 * @param otherDifferences keys whose token count, truncation or text hash differ
 */
public record TableDiff(
    long keys,
    long inOneOnly,
    double lowestCosine,
    float largestDifference,
    long otherDifferences) {

  public static TableDiff of(Dataset<Row> a, Dataset<Row> b) {
    Row diff =
        a.alias("a")
            .join(b.alias("b"), new String[] {"paper_id", "paragraph_index"}, "full_outer")
            .selectExpr(
                "count(*)",
                "sum(cast(a.embedding is null or b.embedding is null as int))",
                "min(aggregate(zip_with(a.embedding, b.embedding, (x, y) -> x * y), 0D,"
                    + " (acc, v) -> acc + v))",
                "max(array_max(zip_with(a.embedding, b.embedding, (x, y) -> abs(x - y))))",
                "sum(cast(a.token_count <> b.token_count or a.truncated <> b.truncated"
                    + " or a.text_sha256 <> b.text_sha256 as int))")
            .first();
    return new TableDiff(
        diff.getLong(0), diff.getLong(1), diff.getDouble(2), diff.getFloat(3), diff.getLong(4));
  }
}
