package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.SparkSessions;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.embed.EmbedJob;
import dev.sparkembed.jobs.embed.EmbedJobOptions;
import dev.sparkembed.jobs.embed.EmbedResult;
import dev.sparkembed.jobs.embed.OutputMode;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkembed embed}: the main job. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description =
        "Embed every paragraph of a corpus into one table per model: Parquet in a folder, or"
            + " catalog tables (Delta Lake, Iceberg).")
public final class EmbedCommand implements Callable<Integer> {

  @Mixin CorpusOptions corpus;
  @Mixin ModelOptions models;
  @Mixin BatchOptions batch;
  @Mixin DeviceOptions device;
  @Mixin TableOptions table;

  @ArgGroup(multiplicity = "1")
  Output output;

  /** Where the tables go: exactly one of a folder and catalog tables. */
  static final class Output {
    @Option(
        names = "--output",
        required = true,
        paramLabel = "DIR",
        description = "Folder for the tables: DIR/<model>/ and DIR/_rejected/.")
    String folder;

    @Option(
        names = "--output-table",
        required = true,
        paramLabel = "NAME",
        description =
            "Or catalog tables: NAME is [catalog.]namespace.table with {model} where the model's"
                + " name goes (lower case, characters other than letters, digits and _ made _;"
                + " appended as _<model> when absent); {model} = rejected and manifests name the"
                + " tables of rejected rows and of manifests.")
    String table;
  }

  @Option(
      names = "--mode",
      defaultValue = "error",
      paramLabel = "MODE",
      description =
          "error: stop if DIR is not empty; overwrite: replace the tables this run writes;"
              + " update: embed only new and changed paragraphs; resume: finish a run that was"
              + " stopped, keeping what it committed. Default: ${DEFAULT-VALUE}.")
  OutputMode mode;

  @Option(
      names = "--slice-rows",
      paramLabel = "ROWS",
      description =
          "Embed and commit each model's rows in slices of ROWS, so a stopped run loses at most"
              + " one slice (--mode resume picks up the rest). Default: about 20 slices of at least"
              + " 20,000 rows.")
  long sliceRows;

  @Option(
      names = "--delete-missing",
      description = "With --mode update: drop rows whose key is no longer in the input.")
  boolean deleteMissing;

  @Option(
      names = "--break-lock",
      description =
          "Take the output over from the run that holds its lease (_lock.json), when that run is"
              + " dead; a live run that loses its lease stops before its next commit.")
  boolean breakLock;

  @Override
  public Integer call() {
    // The session first: model folders and registries on cluster storage are read through its
    // Hadoop configuration (the spark.hadoop.* settings), as the corpus is.
    SparkSession spark = SparkSessions.getOrCreate("sparkembed embed");
    EmbedJobOptions options = options();
    EmbedResult result = new EmbedJob(spark, options, System.err).run();
    printSummary(result, System.out);
    return result.succeeded() ? 0 : 1;
  }

  EmbedJobOptions options() {
    try {
      return new EmbedJobOptions(
          corpus.toSource(),
          output.folder,
          mode,
          models.resolve(),
          batch.toRequest(),
          batch.longText(),
          batch.partitions(),
          deleteMissing,
          device.toSettings(),
          device.taskGpus(),
          sliceRows,
          breakLock,
          table.toTableOutput(output.table));
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  static void printSummary(EmbedResult result, PrintStream out) {
    var counts = result.counts();
    out.printf(
        Locale.ROOT,
        "sparkembed: read %,d rows: %,d to embed, %,d rejected, %,d identical duplicates"
            + " embedded once%n",
        counts.rowsRead(),
        counts.validRows(),
        counts.rejectedRows(),
        counts.identicalDuplicates());
    for (EmbedResult.ModelOutcome model : result.models()) {
      if (model.succeeded()) {
        var m = model.manifest();
        var changes = m.changes();
        if (changes.compared()) {
          out.printf(
              Locale.ROOT,
              "sparkembed: %s: %,d new, %,d changed, %,d unchanged, %,d kept (gone from the input),"
                  + " %,d deleted, %,d dropped (now rejected)%n",
              model.displayName(),
              changes.added(),
              changes.changed(),
              changes.unchanged(),
              changes.kept(),
              changes.deleted(),
              changes.rejected());
        }
        out.printf(
            Locale.ROOT,
            "sparkembed: %s: %,d rows, %,d truncated, %,d tokens in %.1f s (%.1f rows/s, %,.0f"
                + " tokens/s)%n  table: %s%n",
            model.displayName(),
            m.rows(),
            m.rowsTruncated(),
            m.tokens(),
            m.seconds(),
            m.rowsPerS(),
            m.tokensPerS(),
            model.table());
      } else {
        out.printf("sparkembed: %s FAILED: %s%n", model.displayName(), model.failure());
      }
    }
    out.printf("sparkembed: rejected rows (with a reason): %s%n", result.rejectedTable());
  }
}
