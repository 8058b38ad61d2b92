package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.jobs.corpus.InputFormat;
import picocli.CommandLine.Option;

/** Where the corpus is and what its columns are called. */
public final class CorpusOptions {

  @Option(
      names = "--input",
      required = true,
      paramLabel = "PATH",
      description = "Corpus to embed: a file, folder or glob; a table name with --format table.")
  String input;

  @Option(
      names = "--format",
      defaultValue = "auto",
      paramLabel = "FORMAT",
      description =
          "auto (from file names), jsonl, parquet, csv (with a header row) or table."
              + " Default: ${DEFAULT-VALUE}.")
  InputFormat format;

  @Option(
      names = "--id-column",
      defaultValue = CorpusSource.DEFAULT_ID,
      paramLabel = "NAME",
      description = "Column with the paper id. Default: ${DEFAULT-VALUE}.")
  String idColumn;

  @Option(
      names = "--index-column",
      defaultValue = CorpusSource.DEFAULT_INDEX,
      paramLabel = "NAME",
      description = "Column with the paragraph's index in its paper. Default: ${DEFAULT-VALUE}.")
  String indexColumn;

  @Option(
      names = "--text-column",
      defaultValue = CorpusSource.DEFAULT_TEXT,
      paramLabel = "NAME",
      description = "Column with the paragraph's text. Default: ${DEFAULT-VALUE}.")
  String textColumn;

  public CorpusSource toSource() {
    return new CorpusSource(input, format, idColumn, indexColumn, textColumn);
  }
}
