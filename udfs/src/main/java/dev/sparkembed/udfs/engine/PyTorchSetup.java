package dev.sparkembed.udfs.engine;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.Locale;

/**
 * What DJL's PyTorch engine needs before and after it loads a TorchScript model. Its thread counts
 * and native flavour are process-wide and read once, when the engine starts; a user's own settings
 * ({@code -Dai.djl.pytorch.num_threads}, {@code PYTORCH_FLAVOR}) win.
 */
final class PyTorchSetup {

  private PyTorchSetup() {}

  static synchronized void beforeFirstLoad(int threadsPerCall) {
    if (threadsPerCall > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threadsPerCall));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    boolean flavourChosen =
        System.getenv("PYTORCH_FLAVOR") != null || System.getProperty("PYTORCH_FLAVOR") != null;
    if (!flavourChosen && CudaUtils.getGpuCount() == 0) {
      // the CPU libtorch jar on the classpath is then used as is, with nothing to download
      System.setProperty("PYTORCH_FLAVOR", "cpu");
    }
  }

  /**
   * Fails when the TorchScript file's weights are not in the precision the spec promises: the
   * lowest precision among its floating parameters, so a mixed-precision module (bfloat16 matrix
   * weights, float32 embeddings and norms) holds bfloat16. DJL names torch's bfloat16 {@code
   * UNKNOWN}, so that is what bfloat16 weights read as.
   */
  static void checkDtype(ModelSpec spec, Model model) {
    if (spec.runtime().engine() != EngineType.PYTORCH) {
      return;
    }
    String held = null;
    for (Parameter parameter : model.getBlock().getParameters().values()) {
      DataType actual = parameter.getArray().getDataType();
      if (actual == DataType.BFLOAT16 || actual == DataType.UNKNOWN) {
        held = "bfloat16";
        break;
      }
      if (actual.isFloating() && (held == null || actual == DataType.FLOAT16)) {
        held = actual.name().toLowerCase(Locale.ROOT);
      }
    }
    if (held != null && !held.equals(spec.runtime().dtype().configName())) {
      throw new ModelFileException(
          String.format(
              Locale.ROOT,
              "Cannot set models.%s.dtype to %s: the TorchScript file holds %s weights;"
                  + " export it with deploy/models/export_model.py --dtype %s",
              spec.name(),
              spec.runtime().dtype(),
              held,
              spec.runtime().dtype()));
    }
  }

  /** Gives cached, unused GPU memory back after an out-of-memory error, before a retry. */
  static void releaseCachedGpuMemory() {
    JniUtils.emptyCudaCache();
  }
}
