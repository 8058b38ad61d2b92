package dev.sparkembed.jobs.corpus;

import java.util.Locale;

/** How the corpus is stored. */
public enum InputFormat {
  AUTO,
  JSONL,
  PARQUET,
  CSV,
  TABLE;

  /** The format a path's name implies, or null when its name says nothing. */
  static InputFormat fromFileName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String compression : new String[] {".gz", ".bz2", ".zst", ".snappy", ".lz4", ".deflate"}) {
      if (lower.endsWith(compression)) {
        lower = lower.substring(0, lower.length() - compression.length());
      }
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".ndjson")) {
      return JSONL;
    }
    if (lower.endsWith(".parquet")) {
      return PARQUET;
    }
    if (lower.endsWith(".csv")) {
      return CSV;
    }
    return null;
  }
}
