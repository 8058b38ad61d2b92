package dev.sparkembed.jobs.corpus;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A corpus split into what can be embedded and what cannot.
 *
 * @param valid one row per key, in {@link dev.sparkembed.udfs.spark.EmbeddingTable#INPUT} layout
 * @param rejected the input's own columns plus {@link CorpusValidator#REASON}
 * @param rejectedKeys the keys ({@code paper_id}, {@code paragraph_index}) that have rejected rows
 *     and no valid one
 */
public record ValidatedCorpus(
    Dataset<Row> valid,
    Dataset<Row> rejected,
    Dataset<Row> rejectedKeys,
    Counts counts,
    Runnable release) {

  /**
   * @param rowsRead rows in the input
   * @param validRows distinct keys that will be embedded
   * @param rejectedRows rows that cannot be embedded
   * @param identicalDuplicates extra copies of a key with the same text, embedded once
   * @param textChars characters of text over the valid rows, for planning
   */
  public record Counts(
      long rowsRead, long validRows, long rejectedRows, long identicalDuplicates, long textChars) {}
}
