package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.SparkSessions;
import dev.sparkembed.jobs.export.ExportFormat;
import dev.sparkembed.jobs.export.TableExport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sparkembed export}: a table sparkembed wrote, as files research code loads. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Export an embedding table to JSON Lines or a NumPy matrix, in key order, with"
            + " metadata.json from its manifest.")
public final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec command;

  @ArgGroup(multiplicity = "1")
  Source source;

  /** The table to export: exactly one of a folder and a catalog table. */
  static final class Source {
    @Option(
        names = "--table",
        required = true,
        paramLabel = "DIR",
        description = "The model's table: the embed run's --output folder / <model>.")
    String folder;

    @Option(
        names = "--catalog-table",
        required = true,
        paramLabel = "NAME",
        description =
            "Or the model's catalog table, as an embed run's --output-table named it (e.g."
                + " main.search.paragraphs_all_minilm_l6_v2).")
    String table;
  }

  @Option(
      names = "--format",
      required = true,
      paramLabel = "FORMAT",
      description =
          "jsonl: embeddings.jsonl, one {paper_id, paragraph_index, embedding, model} per line;"
              + " npy: embeddings.npy (float32, rows x dimension) and keys.jsonl.")
  ExportFormat format;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Folder for the files (any Hadoop file system).")
  String output;

  @Option(names = "--overwrite", description = "Replace what the --output folder holds.")
  boolean overwrite;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.getOrCreate("sparkembed export");
    long start = System.nanoTime();
    TableExport export =
        source.folder != null
            ? TableExport.of(spark, source.folder, output, overwrite)
            : TableExport.ofCatalogTable(spark, source.table, output, overwrite);
    TableExport.Result result = export.run(format);
    PrintWriter out = command.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "sparkembed: exported %,d rows of %d dimensions from %s to %s: %s in %.1f s%n",
        result.rows(),
        result.dimension(),
        source.folder != null ? source.folder : source.table,
        result.folder(),
        String.join(", ", result.files()),
        (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
