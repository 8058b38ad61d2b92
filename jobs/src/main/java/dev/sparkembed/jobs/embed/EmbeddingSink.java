package dev.sparkembed.jobs.embed;

import java.io.PrintStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where a run's tables go: a Parquet folder ({@link FolderSink}) or catalog tables ({@link
 * CatalogTableSink}). The job stages each table as Parquet in the sink's work folder, then commits
 * it through the sink, which makes it the table readers see in one step.
 */
interface EmbeddingSink {

  static EmbeddingSink of(SparkSession spark, EmbedJobOptions options) {
    return options.table() == null
        ? new FolderSink(spark, options.output())
        : new CatalogTableSink(spark, options.table(), options.models());
  }

  /** Stops the run before the lease is taken when the output cannot be used at all. */
  void checkUsable();

  /** The folder for staged tables, resume slices, commit journals and the writer's lease. */
  OutputLayout work();

  /**
   * Under the lease, before any work: refuses what {@code mode} forbids and finishes the commits a
   * killed run left half done.
   */
  void prepare(OutputMode mode, PrintStream log);

  /** The model's table, as a user names it. */
  String table(String model);

  /** The table of rejected rows, as a user names it. */
  String rejectedTable();

  /** The manifest of the model's table, or null when there is no table (or none made by us). */
  Manifest manifest(String model);

  /** The rows of the model's table, in the embedding table's layout. */
  Dataset<Row> rows(String model);

  /** Makes the staged Parquet folder of rejected rows the rejected table. */
  void commitRejected(OutputLock lock, Path staged);

  /**
   * Makes the staged Parquet folder the model's table, described by {@code manifest}, then deletes
   * {@code cleanup} (what the new table makes obsolete).
   */
  void commit(OutputLock lock, String model, Path staged, Manifest manifest, Path... cleanup);
}
