package dev.sparkembed.udfs.engine;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where a task asks its model to run: on the GPU Spark assigned it ({@code gpuAddress}), or on CPU
 * when it was assigned none. {@code cpuFallback} lets a task whose GPU cannot be used (no CUDA
 * build of the engine, no such device) run on CPU instead of failing.
 */
public record Placement(String gpuAddress, boolean cpuFallback) implements Serializable {

  public static final Placement CPU = new Placement(null, false);

  public boolean wantsGpu() {
    return gpuAddress != null;
  }

  /** The CUDA index of the assigned address (Spark's GPU addresses are device ordinals). */
  public int gpuIndex() {
    try {
      return Integer.parseInt(gpuAddress.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "Spark assigned this task GPU address '"
              + gpuAddress
              + "', which is not a CUDA device index; make the discovery script print indexes"
              + " (deploy/gpu/discover-gpus.sh does)",
          e);
    }
  }

  /** The model cache's key for the device: one loaded model per GPU address. */
  public String key() {
    return wantsGpu() ? "gpu:" + gpuAddress.trim().toLowerCase(Locale.ROOT) : "cpu";
  }
}
