package dev.sparkembed.udfs.engine;

import ai.djl.engine.Engine;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model per model fingerprint and device in this JVM, shared by every task and partition
 * that runs here (tasks that share a GPU share its model), closed when the JVM exits.
 */
public final class ModelCache {

  private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
  private static final Map<String, EncoderModel> MODELS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ModelCache::closeAll, "sparkembed-model-cache-close"));
  }

  private ModelCache() {}

  /** The model for {@code spec} on CPU, sharing {@code cores} among its callers. */
  public static EncoderModel get(ModelSpec spec, int cores) {
    return get(spec, Placement.CPU, cores);
  }

  /**
   * The model for {@code spec} where {@code placement} asks: on its GPU, or on CPU sharing {@code
   * cores} among its callers.
   */
  public static EncoderModel get(ModelSpec spec, Placement placement, int cores) {
    String key =
        spec.fingerprint() + "@" + placement.key() + (placement.wantsGpu() ? "" : "/" + cores);
    return MODELS.computeIfAbsent(
        key,
        k -> {
          long start = System.nanoTime();
          EncoderModel model = load(spec, placement, cores);
          int loads = LOADS.incrementAndGet();
          LOG.info(
              "sparkembed: loaded model {} for {} with {} on {} in {} ms (model loads in this"
                  + " JVM: {})",
              spec.name(),
              placement.key(),
              spec.engine(),
              model.plan(),
              (System.nanoTime() - start) / 1_000_000,
              loads);
          return model;
        });
  }

  private static EncoderModel load(ModelSpec spec, Placement placement, int cores) {
    if (!placement.wantsGpu()) {
      return EncoderModel.load(spec, EnginePlan.cpu(cores));
    }
    int index = placement.gpuIndex();
    RuntimeException failure;
    try {
      int visible = Engine.getEngine(engineName(spec)).getGpuCount();
      if (index < visible) {
        return EncoderModel.load(spec, EnginePlan.gpu(index));
      }
      failure =
          new IllegalStateException(
              String.format(
                  "Spark assigned this task GPU %s, but the %s engine sees %d CUDA device(s)"
                      + " (a CPU build of the engine, or CUDA_VISIBLE_DEVICES hides it)",
                  placement.gpuAddress(), spec.engine(), visible));
    } catch (RuntimeException e) {
      failure = e;
    }
    if (!placement.cpuFallback()) {
      throw new IllegalStateException(
          failure.getMessage()
              + "; install the engine's CUDA build (see deploy/gpu/README.md) or pass"
              + " --cpu-fallback to embed on CPU instead",
          failure);
    }
    LOG.warn(
        "sparkembed: model {} runs on CPU instead of GPU {} (--cpu-fallback): {}",
        spec.name(),
        placement.gpuAddress(),
        failure.getMessage());
    return EncoderModel.load(spec, EnginePlan.cpu(cores));
  }

  private static String engineName(ModelSpec spec) {
    if (ModelSpec.PYTORCH.equals(spec.engine())) {
      PyTorchSetup.beforeFirstLoad(1);
      return PyTorchSetup.ENGINE;
    }
    return "OnnxRuntime";
  }

  /** How many models this JVM has loaded since it started. */
  public static int loads() {
    return LOADS.get();
  }

  static synchronized void closeAll() {
    MODELS.values().forEach(EncoderModel::close);
    MODELS.clear();
  }
}
