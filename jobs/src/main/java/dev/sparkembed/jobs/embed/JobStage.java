package dev.sparkembed.jobs.embed;

import java.util.Locale;

/** The steps of an embedding run the driver waits on, in order; see {@link RunTimes}. */
public enum JobStage {
  /** Checking the output, taking its lease, finishing a stopped commit, loading the models. */
  START,
  /** Reading the corpus and checking every row. */
  READ_CHECK,
  /** Writing the rejected rows. */
  REJECTED,
  /** Deciding what to embed: comparing with an existing table, planning partitions and slices. */
  PLAN,
  /** The embedding stages: spreading rows by tokens, embedding, writing the slices. */
  EMBED,
  /** Writing the table from the slices and the rows kept. */
  TABLE,
  /** Counting the table, writing the manifest, committing. */
  FINISH;

  /** The name in reports: lower case. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
