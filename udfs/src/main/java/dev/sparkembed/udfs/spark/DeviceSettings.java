package dev.sparkembed.udfs.spark;

import dev.sparkembed.udfs.engine.Placement;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Which device the embedding tasks use.
 *
 * @param device {@code auto}: the GPU Spark assigned the task, else CPU; {@code gpu}: the assigned
 *     GPU, and a task assigned none fails (unless {@code cpuFallback}); {@code cpu}: always CPU
 * @param cpuFallback run on CPU when the GPU cannot be used, instead of failing the task
 */
public record DeviceSettings(String device, boolean cpuFallback) implements Serializable {

  public static final String GPU_RESOURCE = "gpu";
  public static final DeviceSettings CPU = new DeviceSettings("cpu", false);
  public static final DeviceSettings AUTO = new DeviceSettings("auto", false);

  public DeviceSettings {
    device = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
    if (!(device.equals("auto") || device.equals("gpu") || device.equals("cpu"))) {
      throw new IllegalArgumentException(
          "Cannot set --device to " + device + ": use auto, gpu or cpu");
    }
  }

  public boolean gpuRequired() {
    return device.equals("gpu");
  }

  /** Where the running task's model goes: its assigned GPU, or CPU. */
  public Placement placementFor(TaskContext task) {
    String address = device.equals("cpu") ? null : assignedGpu(task);
    if (address == null && gpuRequired() && !cpuFallback) {
      throw new IllegalStateException(
          "--device gpu, but Spark assigned this task no GPU: give executors GPUs"
              + " (spark.executor.resource.gpu.amount and a discovery script) and tasks a share of"
              + " one (spark.task.resource.gpu.amount or --task-gpus); see deploy/gpu/README.md");
    }
    return new Placement(address, cpuFallback);
  }

  /** The first GPU address Spark assigned {@code task}, or null. */
  static String assignedGpu(TaskContext task) {
    if (task == null) {
      return null;
    }
    Map<String, ResourceInformation> resources = task.resourcesJMap();
    ResourceInformation gpus = resources == null ? null : resources.get(GPU_RESOURCE);
    return gpus == null || gpus.addresses().length == 0 ? null : gpus.addresses()[0];
  }
}
