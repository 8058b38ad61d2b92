package dev.sparkembed.udfs.engine;

import ai.djl.engine.Engine;
import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
              spec.runtime().engine(),
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
        EnginePlan plan = EnginePlan.gpu(index);
        Path weights = ModelStore.localCopy(spec.weights());
        GpuFit.check(spec.name(), weights.getFileName().toString(), size(weights), plan.device());
        return EncoderModel.load(spec, plan);
      }
      failure =
          new IllegalStateException(
              String.format(
                  "Spark assigned this task GPU %s, but the %s engine sees %d CUDA device(s)"
                      + " (a CPU build of the engine, or CUDA_VISIBLE_DEVICES hides it)",
                  placement.gpuAddress(), spec.runtime().engine(), visible));
    } catch (GpuFit.TooLarge e) {
      throw e;
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

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String engineName(ModelSpec spec) {
    if (spec.runtime().engine() == EngineType.PYTORCH) {
      PyTorchSetup.beforeFirstLoad(1);
    }
    return spec.runtime().engine().djlName();
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
