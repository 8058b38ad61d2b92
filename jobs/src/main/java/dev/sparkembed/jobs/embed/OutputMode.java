package dev.sparkembed.jobs.embed;

/** What to do when the output folder already holds something. */
public enum OutputMode {
  /** Stop before any work. */
  ERROR,
  /** Replace the tables this run writes. */
  OVERWRITE,
  /**
   * Embed only keys that are new or whose text changed since the table was made with the same model
   * fingerprint; keep the rest (and drop keys gone from the input with --delete-missing).
   */
  UPDATE,
  /**
   * Continue a run that was killed: keep what it committed (its slices, and a table with the same
   * fingerprint), embed the rest, and end with the table an uninterrupted run would have written.
   */
  RESUME
}
