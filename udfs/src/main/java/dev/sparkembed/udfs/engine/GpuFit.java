package dev.sparkembed.udfs.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.Locale;

/**
 * Refuses, before a model is loaded onto a GPU and before any batch runs, a model whose weights
 * alone do not fit the device's free memory, naming both sizes; a 7-12B model in bfloat16 is 14-24
 * GB.
 */
final class GpuFit {

  /** A model larger than its GPU's free memory: not a reason to fall back to CPU. */
  static final class TooLarge extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  private GpuFit() {}

  static void check(String model, String file, long weightBytes, Device device) {
    MemoryUsage memory = CudaUtils.getGpuMemory(device);
    check(
        model,
        file,
        weightBytes,
        device.toString(),
        memory.getMax(),
        memory.getMax() - memory.getCommitted());
  }

  static void check(
      String model, String file, long weightBytes, String device, long totalBytes, long freeBytes) {
    if (weightBytes > freeBytes) {
      throw new TooLarge(
          String.format(
              Locale.ROOT,
              "Model %s cannot fit %s: its weights (%s) are %.1f GB, and the GPU has %.1f GB free"
                  + " of %.1f GB; use a GPU with more memory, or export it in bfloat16"
                  + " (deploy/models/export_model.py --dtype bfloat16)",
              model,
              device,
              file,
              weightBytes / 1e9,
              freeBytes / 1e9,
              totalBytes / 1e9));
    }
  }
}
