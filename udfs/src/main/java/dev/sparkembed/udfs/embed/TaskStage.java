package dev.sparkembed.udfs.embed;

/** Where an embedding task spends its time; see {@link TaskTimes}. */
public enum TaskStage {
  /** Getting the model (loading it, the first time in an executor JVM) and a predictor. */
  MODEL,
  /** Taking rows from the task's input: the shuffle read and row decoding before tokenizing. */
  INPUT,
  /** Tokenizing (ids and type ids), and cutting long texts into chunks; on any thread. */
  TOKENIZE,
  /** The task thread waiting for a window tokenized on another thread. */
  TOKENS_WAIT,
  /** Sorting a window by length and padding its batches. */
  BATCH,
  /** Copying a batch's token arrays into the engine's tensors. */
  ENGINE_INPUT,
  /** The engine's forward pass. */
  FORWARD,
  /** Copying the engine's output back and pooling, the Dense layers, normalisation. */
  POOLING,
  /** Engine calls, whole: the three above plus waiting for a core. */
  ENGINE_CALL,
  /** Inside the embedder, all of it: the stages above except those on other threads. */
  EMBED,
  /** The whole task, from its first row to its end (its output written and committed). */
  TASK;

  /** The name in reports: lower case. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
