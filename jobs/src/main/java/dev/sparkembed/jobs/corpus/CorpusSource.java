package dev.sparkembed.jobs.corpus;

import java.io.Serializable;

/**
 * Where the corpus is and which of its columns hold the key and the text.
 *
 * @param input a path or glob Spark reads, or a table name with {@link InputFormat#TABLE}
 */
public record CorpusSource(
    String input, InputFormat format, String idColumn, String indexColumn, String textColumn)
    implements Serializable {

  public static final String DEFAULT_ID = "paper_id";
  public static final String DEFAULT_INDEX = "paragraph_index";
  public static final String DEFAULT_TEXT = "text";

  public static CorpusSource of(String input) {
    return new CorpusSource(input, InputFormat.AUTO, DEFAULT_ID, DEFAULT_INDEX, DEFAULT_TEXT);
  }
}
