package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import picocli.CommandLine.Option;

/**
 * How executors batch texts, and how many partitions the embedding stage has. The batch options
 * have no value until set, so an option left out takes the default of the device a task runs on,
 * and one set to exactly the CPU default keeps that value on a GPU.
 */
public final class BatchOptions {

  @Option(
      names = "--batch-size",
      paramLabel = "ROWS",
      description = "Most texts per engine call. Default: 16 on CPU, 256 on a GPU.")
  Integer maxRows;

  @Option(
      names = "--batch-tokens",
      paramLabel = "TOKENS",
      description =
          "Most tokens per engine call, padding included (rows x longest text). Default: 1024 on"
              + " CPU, 32768 on a GPU.")
  Integer maxTokens;

  @Option(
      names = "--window-rows",
      paramLabel = "ROWS",
      description =
          "Texts tokenized and sorted by length together on an executor; bounds its memory."
              + " Default: 4096 on CPU, 8192 on a GPU.")
  Integer windowRows;

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

  /** The batch options as set, checked for CPU and GPU tasks. */
  public BatchRequest toRequest() {
    return new BatchRequest(maxRows, maxTokens, windowRows).checked();
  }

  /** The settings of a task on CPU. */
  public BatchSettings toSettings() {
    return toRequest().on(false);
  }
}
