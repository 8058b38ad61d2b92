package dev.sparkembed.jobs.embed;

/** What to do when the output folder already holds something. */
public enum OutputMode {
  /** Stop before any work. */
  ERROR,
  /** Replace the tables this run writes. */
  OVERWRITE
}
