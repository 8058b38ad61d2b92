package dev.sparkembed.jobs.export;

/** What {@code sparkembed export} writes. */
public enum ExportFormat {
  /**
   * {@code embeddings.jsonl}: one line per row, {@code {"paper_id", "paragraph_index", "embedding",
   * "model"}}, in key order.
   */
  JSONL,
  /**
   * {@code embeddings.npy}: a float32 matrix of rows x dimension in key order, with {@code
   * keys.jsonl} giving each row's key.
   */
  NPY
}
