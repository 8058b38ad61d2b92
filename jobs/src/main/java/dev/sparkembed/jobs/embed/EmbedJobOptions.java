package dev.sparkembed.jobs.embed;

import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.DeviceSettings;
import java.util.List;

/**
 * Everything one embedding run needs, checked when built.
 *
 * @param batch the batch options the user set; the others take each task's device defaults
 * @param longText what to do with paragraphs longer than a model's max length
 * @param partitions partitions of the embedding stage; 0 plans them from the corpus's size
 * @param deleteMissing in update mode, drop rows whose key is no longer in the input
 * @param devices which device the embedding tasks use
 * @param taskGpus GPUs each embedding task asks for through stage-level scheduling; 0 for none
 * @param sliceRows rows per slice, the unit a killed run loses; 0 plans them from the rows
 * @param breakLock take the output over from the run that holds its lease, live or not
 * @param output the output folder, or null when {@code table} is set
 * @param table catalog tables to write instead of a folder, or null
 */
public record EmbedJobOptions(
    CorpusSource corpus,
    String output,
    OutputMode mode,
    List<ModelSpec> models,
    BatchRequest batch,
    LongText longText,
    int partitions,
    boolean deleteMissing,
    DeviceSettings devices,
    double taskGpus,
    long sliceRows,
    boolean breakLock,
    TableOutput table) {

  /** A run into a folder. */
  public EmbedJobOptions(
      CorpusSource corpus,
      String output,
      OutputMode mode,
      List<ModelSpec> models,
      BatchRequest batch,
      LongText longText,
      int partitions,
      boolean deleteMissing,
      DeviceSettings devices,
      double taskGpus,
      long sliceRows,
      boolean breakLock) {
    this(
        corpus,
        output,
        mode,
        models,
        batch,
        longText,
        partitions,
        deleteMissing,
        devices,
        taskGpus,
        sliceRows,
        breakLock,
        null);
  }

  /**
   * A run with every batch setting given ({@code batch}, on CPU and GPU alike), on CPU or on the
   * GPUs Spark's own settings assign.
   */
  public EmbedJobOptions(
      CorpusSource corpus,
      String output,
      OutputMode mode,
      List<ModelSpec> models,
      BatchSettings batch,
      LongText longText,
      int partitions,
      boolean deleteMissing) {
    this(
        corpus,
        output,
        mode,
        models,
        BatchRequest.of(batch),
        longText,
        partitions,
        deleteMissing,
        DeviceSettings.AUTO,
        0,
        0,
        false,
        null);
  }

  public EmbedJobOptions {
    if ((output == null) == (table == null)) {
      throw new IllegalArgumentException(
          "Set exactly one of --output (a folder) and --output-table (catalog tables)");
    }
    if (output != null && output.isBlank()) {
      throw new IllegalArgumentException("Cannot set --output to an empty path");
    }
    if (models == null || models.isEmpty()) {
      throw new IllegalArgumentException("Cannot set --models to an empty list");
    }
    if (partitions < 0) {
      throw new IllegalArgumentException(
          "Cannot set --partitions to " + partitions + ": must be 0 (plan from the data) or more");
    }
    if (sliceRows < 0) {
      throw new IllegalArgumentException(
          "Cannot set --slice-rows to " + sliceRows + ": must be 0 (plan from the data) or more");
    }
    if (deleteMissing && mode != OutputMode.UPDATE && mode != OutputMode.RESUME) {
      throw new IllegalArgumentException(
          "Cannot set --delete-missing with --mode "
              + mode.name().toLowerCase(java.util.Locale.ROOT)
              + ": it applies to --mode update (and resume)");
    }
    models = List.copyOf(models);
  }
}
