package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.embed.TableOutput;
import picocli.CommandLine.Option;

/** Options of {@code embed} for the catalog tables of {@code --output-table}. */
final class TableOptions {

  @Option(
      names = "--table-format",
      paramLabel = "FORMAT",
      description =
          "With --output-table: delta or iceberg. Default: the existing tables' format, else an"
              + " Iceberg catalog's, else spark.sql.sources.default.")
  String tableFormat;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "With --output-table: folder for staged rows, resume slices and the writer's lease."
              + " Default: <spark.sql.warehouse.dir>/_sparkembed/<NAME>.")
  String workDir;

  @Option(
      names = "--vector-search",
      description =
          "With --output-table (Delta): add the column paragraph_key = <paper_id>#<paragraph_index>"
              + " and turn on the change data feed, for a Databricks Vector Search delta-sync"
              + " index.")
  boolean vectorSearch;

  /** The catalog tables {@code outputTable} names, or null for a folder. */
  TableOutput toTableOutput(String outputTable) {
    if (outputTable == null) {
      if (tableFormat != null || workDir != null || vectorSearch) {
        throw new IllegalArgumentException(
            "Cannot set --table-format, --work-dir or --vector-search without --output-table");
      }
      return null;
    }
    return new TableOutput(outputTable, tableFormat, workDir, vectorSearch);
  }
}
