package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import picocli.CommandLine.Option;

/** How executors batch texts, and how many partitions the embedding stage has. */
public final class BatchOptions {

  @Option(
      names = "--batch-size",
      paramLabel = "ROWS",
      description = "Most texts per engine call. Default: ${DEFAULT-VALUE}.")
  int maxRows = BatchSettings.DEFAULT.maxRows();

  @Option(
      names = "--batch-tokens",
      paramLabel = "TOKENS",
      description =
          "Most tokens per engine call, padding included (rows x longest text). Default: ${DEFAULT-VALUE}.")
  int maxTokens = BatchSettings.DEFAULT.maxTokens();

  @Option(
      names = "--window-rows",
      paramLabel = "ROWS",
      description =
          "Texts tokenized and sorted by length together on an executor; bounds its memory."
              + " Default: ${DEFAULT-VALUE}.")
  int windowRows = BatchSettings.DEFAULT.windowRows();

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Partitions of the embedding stage. Default: 0, planned from the corpus size.")
  int partitions;

  @Option(
      names = "--long-text",
      paramLabel = "MODE",
      description =
          "truncate: embed a paragraph's first max-length tokens and mark it truncated; chunk:"
              + " embed it whole in overlapping windows, pooled by token-weighted mean."
              + " Default: ${DEFAULT-VALUE}.")
  LongTextMode longText = LongTextMode.TRUNCATE;

  @Option(
      names = "--chunk-overlap",
      paramLabel = "TOKENS",
      description =
          "Text tokens consecutive windows share with --long-text chunk. Default: ${DEFAULT-VALUE}.")
  int chunkOverlap = LongText.DEFAULT_OVERLAP;

  /** The values of --long-text. */
  public enum LongTextMode {
    TRUNCATE,
    CHUNK
  }

  public LongText longText() {
    if (chunkOverlap < 0) {
      throw new IllegalArgumentException(
          "Cannot set --chunk-overlap to " + chunkOverlap + ": must be at least 0");
    }
    return longText == LongTextMode.CHUNK ? LongText.chunked(chunkOverlap) : LongText.TRUNCATE;
  }

  public int partitions() {
    return partitions;
  }

  public BatchSettings toSettings() {
    return new BatchSettings(maxRows, maxTokens, windowRows);
  }
}
