package dev.sparkembed.udfs.embed;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Nanoseconds spent in each {@link TaskStage}, summed over the threads and tasks that add to it.
 * Cheap enough for every window and batch: one clock read at each end of a stage.
 */
public final class TaskTimes implements Serializable {
  private static final long serialVersionUID = 1L;

  private final AtomicLongArray nanos = new AtomicLongArray(TaskStage.values().length);

  /** Adds the time since {@code startNanos} (a {@link System#nanoTime()}) to {@code stage}. */
  public void since(TaskStage stage, long startNanos) {
    add(stage, System.nanoTime() - startNanos);
  }

  public void add(TaskStage stage, long elapsedNanos) {
    nanos.addAndGet(stage.ordinal(), elapsedNanos);
  }

  public long nanos(TaskStage stage) {
    return nanos.get(stage.ordinal());
  }

  public void addAll(TaskTimes other) {
    for (TaskStage stage : TaskStage.values()) {
      add(stage, other.nanos(stage));
    }
  }

  public boolean isZero() {
    for (TaskStage stage : TaskStage.values()) {
      if (nanos(stage) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Seconds by stage, in the stages' order, keyed by {@link TaskStage#key()}. */
  public Map<String, Double> seconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (TaskStage stage : TaskStage.values()) {
      out.put(stage.key(), nanos(stage) / 1e9);
    }
    return out;
  }
}
