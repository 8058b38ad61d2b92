package dev.sparkembed.udfs.engine;

import dev.sparkembed.udfs.model.EngineType;
import java.util.Locale;

/** Out-of-memory errors of a device (a GPU), told apart from every other engine failure. */
public final class DeviceMemory {

  private DeviceMemory() {}

  /**
   * Whether {@code failure} says the device ran out of memory (CUDA's "out of memory", as PyTorch
   * and ONNX Runtime report it). The JVM's own {@link OutOfMemoryError} is not one: retrying in
   * halves does not help the heap.
   */
  public static boolean isOutOfMemory(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (!(t instanceof OutOfMemoryError)
          && message != null
          && message.toLowerCase(Locale.ROOT).contains("out of memory")) {
        return true;
      }
    }
    return false;
  }

  /** Gives the engine's cached, unused device memory back before a retry. */
  public static void releaseCached(EncoderModel model) {
    if (model.plan().onGpu() && model.spec().runtime().engine() == EngineType.PYTORCH) {
      PyTorchSetup.releaseCachedGpuMemory();
    }
  }
}
