package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.spark.DeviceSettings;
import picocli.CommandLine.Option;

/** Which device the embedding tasks use, and what share of a GPU each asks Spark for. */
public final class DeviceOptions {

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "DEVICE",
      description =
          "auto: the GPU Spark assigned the task, else CPU; gpu: the assigned GPU, a task with"
              + " none fails; cpu: always CPU. Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(
      names = "--cpu-fallback",
      description =
          "Embed on CPU when a task's GPU cannot be used (no CUDA build of the engine, no such"
              + " device) instead of failing the task.")
  boolean cpuFallback;

  @Option(
      names = "--task-gpus",
      paramLabel = "AMOUNT",
      description =
          "GPUs each embedding task asks for, through stage-level scheduling: only the embedding"
              + " stage asks for GPUs (e.g. 0.5: two tasks share a GPU and its model). Needs a"
              + " cluster manager that supports it (standalone, YARN, Kubernetes); 0 leaves"
              + " spark.task.resource.gpu.amount in charge. Default: 0.")
  double taskGpus;

  public DeviceSettings toSettings() {
    if (taskGpus < 0 || (taskGpus > 1 && taskGpus != Math.floor(taskGpus))) {
      throw new IllegalArgumentException(
          "Cannot set --task-gpus to "
              + taskGpus
              + ": use a share of one GPU (0.25, 0.5, 1) or a whole number");
    }
    return new DeviceSettings(device, cpuFallback);
  }

  public double taskGpus() {
    return taskGpus;
  }
}
