package dev.sparkembed.jobs.embed;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparkembed.udfs.embed.TaskStage;
import dev.sparkembed.udfs.embed.TaskTimes;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run's time went: the driver's wall-clock seconds in each {@link JobStage} (summed over
 * the models), and the embedding tasks' seconds in each {@link TaskStage}, summed over all tasks
 * (on {@code slots} task slots, a stage's share of the embedding stages' wall time is about its sum
 * / slots).
 */
public final class RunTimes {

  private final int slots;
  private final Map<JobStage, Long> driverNanos = new EnumMap<>(JobStage.class);
  private final TaskTimes tasks = new TaskTimes();

  /**
   * @param slots tasks the cluster runs at once
   */
  RunTimes(int slots) {
    this.slots = Math.max(1, slots);
  }

  @JsonProperty
  public int slots() {
    return slots;
  }

  /** Adds the time since {@code startNanos} (a {@link System#nanoTime()}) to {@code stage}. */
  void since(JobStage stage, long startNanos) {
    driverNanos.merge(stage, System.nanoTime() - startNanos, Long::sum);
  }

  void addTasks(TaskTimes times) {
    tasks.addAll(times);
  }

  /** Wall-clock seconds of each driver stage, in order. */
  @JsonProperty
  public Map<String, Double> driverSeconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (JobStage stage : JobStage.values()) {
      out.put(stage.key(), driverNanos.getOrDefault(stage, 0L) / 1e9);
    }
    return out;
  }

  /**
   * Seconds of each task stage summed over the tasks, and {@code write}: the tasks' time outside
   * the model's setup and the embedder (turning vectors into rows, writing Parquet, committing the
   * task's file).
   */
  @JsonProperty
  public Map<String, Double> taskSeconds() {
    Map<String, Double> out = tasks.seconds();
    long outside =
        tasks.nanos(TaskStage.TASK) - tasks.nanos(TaskStage.MODEL) - tasks.nanos(TaskStage.EMBED);
    out.put("write", outside / 1e9);
    return out;
  }

  /**
   * The embedding stages' wall time not spent inside the embedding tasks: scheduling, the spread of
   * rows by tokens (a shuffle), and task slots idle while the last tasks run.
   */
  @JsonProperty
  public double sparkOverheadSeconds() {
    return (driverNanos.getOrDefault(JobStage.EMBED, 0L) - tasks.nanos(TaskStage.TASK) / slots)
        / 1e9;
  }
}
