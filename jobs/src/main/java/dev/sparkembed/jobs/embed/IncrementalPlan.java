package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.sparkembed.udfs.spark.EmbeddingTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a run must embed for one model, and which rows already embedded it keeps: in update and
 * resume modes only keys that are new or whose text changed are embedded, when the rows were made
 * with the same fingerprint and long-text handling; otherwise every row is.
 *
 * @param toEmbed rows in {@link EmbeddingTable#INPUT} layout
 * @param kept rows of the existing table, in {@link EmbeddingTable#OUTPUT} layout, to write again
 */
public record IncrementalPlan(Dataset<Row> toEmbed, Dataset<Row> kept, Changes changes) {

  /**
   * How the table changes. Its rows are {@code added + changed + unchanged + kept}.
   *
   * @param kept keys gone from the input whose rows stay (update without --delete-missing)
   * @param deleted keys gone from the input whose rows were dropped (--delete-missing)
   * @param rejected keys whose row in the input is now rejected: their old rows, made from a text
   *     the input no longer holds, are dropped
   * @param compared whether the input was compared with rows embedded before (a table, or a stopped
   *     run's slices); when not, every row is new and the counts tell nothing
   */
  public record Changes(
      long added,
      long changed,
      long unchanged,
      long kept,
      long deleted,
      long rejected,
      boolean compared) {}

  private static final String OLD_SHA = "_se_old_text_sha256";
  private static final String NOW_REJECTED = "_se_now_rejected";
  private static final String[] KEY = {EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX};

  /** Embed everything: nothing to keep. */
  static IncrementalPlan full(SparkSession spark, Dataset<Row> valid, long rows) {
    return new IncrementalPlan(
        valid,
        spark.createDataFrame(java.util.List.of(), EmbeddingTable.OUTPUT),
        new Changes(rows, 0, 0, 0, 0, 0, false));
  }

  /**
   * The plan against {@code existing} rows (in {@link EmbeddingTable#OUTPUT} layout) made with the
   * same fingerprint and long-text handling: keys that are new or whose text changed are embedded,
   * the rest kept; keys gone from the input are kept too, or dropped when {@code deleteMissing};
   * keys whose input row is rejected ({@code rejectedKeys}) are dropped.
   */
  static IncrementalPlan against(
      Dataset<Row> valid, Dataset<Row> rejectedKeys, Dataset<Row> existing, boolean deleteMissing) {
    Column sameKey =
        col("v." + EmbeddingTable.PAPER_ID)
            .equalTo(col("e." + EmbeddingTable.PAPER_ID))
            .and(
                col("v." + EmbeddingTable.PARAGRAPH_INDEX)
                    .equalTo(col("e." + EmbeddingTable.PARAGRAPH_INDEX)));
    Dataset<Row> compared =
        valid
            .as("v")
            .join(
                existing
                    .select(
                        col(EmbeddingTable.PAPER_ID),
                        col(EmbeddingTable.PARAGRAPH_INDEX),
                        col(EmbeddingTable.TEXT_SHA256).as(OLD_SHA))
                    .as("e"),
                sameKey,
                "left")
            .select(col("v.*"), col("e." + OLD_SHA));
    Dataset<Row> toEmbed =
        compared
            .where(col(OLD_SHA).isNull().or(col(OLD_SHA).notEqual(col(EmbeddingTable.TEXT_SHA256))))
            .drop(OLD_SHA);
    Dataset<Row> keys =
        valid.select(
            col(EmbeddingTable.PAPER_ID),
            col(EmbeddingTable.PARAGRAPH_INDEX),
            col(EmbeddingTable.TEXT_SHA256));
    Dataset<Row> unchanged =
        existing.join(
            keys,
            new String[] {
              EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX, EmbeddingTable.TEXT_SHA256
            },
            "left_semi");
    Dataset<Row> missing =
        existing
            .join(keys.drop(EmbeddingTable.TEXT_SHA256), KEY, "left_anti")
            .join(
                rejectedKeys.select(KEY[0], KEY[1]).distinct().withColumn(NOW_REJECTED, lit(true)),
                KEY,
                "left");
    Row counts =
        compared
            .agg(
                sum(when(col(OLD_SHA).isNull(), 1).otherwise(0)),
                sum(
                    when(
                            col(OLD_SHA)
                                .isNotNull()
                                .and(col(OLD_SHA).notEqual(col(EmbeddingTable.TEXT_SHA256))),
                            1)
                        .otherwise(0)),
                count(lit(1)))
            .first();
    Row missingCounts =
        missing.agg(count(lit(1)), sum(when(col(NOW_REJECTED), 1).otherwise(0))).first();
    long added = counts.isNullAt(0) ? 0 : counts.getLong(0);
    long changed = counts.isNullAt(1) ? 0 : counts.getLong(1);
    long unchangedRows = counts.getLong(2) - added - changed;
    long rejected = missingCounts.isNullAt(1) ? 0 : missingCounts.getLong(1);
    long gone = missingCounts.getLong(0) - rejected;
    Dataset<Row> kept =
        deleteMissing
            ? unchanged
            : unchanged.unionByName(missing.where(col(NOW_REJECTED).isNull()).drop(NOW_REJECTED));
    return new IncrementalPlan(
        toEmbed,
        kept.select(outputColumns()),
        new Changes(
            added,
            changed,
            unchangedRows,
            deleteMissing ? 0 : gone,
            deleteMissing ? gone : 0,
            rejected,
            true));
  }

  /** The columns of {@link EmbeddingTable#OUTPUT}, in order. */
  static Column[] outputColumns() {
    String[] names = EmbeddingTable.OUTPUT.fieldNames();
    Column[] columns = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      columns[i] = col(names[i]);
    }
    return columns;
  }
}
