package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.embed.TableOutput;
import picocli.CommandLine.Option;

/** Options of {@code embed} for writing catalog tables instead of a folder. */
final class TableOptions {

  @Option(
      names = "--output-table",
      paramLabel = "NAME",
      description =
          "Write catalog tables instead of a folder: NAME is [catalog.]namespace.table with"
              + " {model} where the model's name goes (lower case, other characters than letters,"
              + " digits and _ made _; appended as _<model> when absent); {model} = rejected"
              + " names the table of rejected rows.")
  String outputTable;

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

  /** The catalog tables asked for, or null for a folder. */
  TableOutput toTableOutput() {
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
