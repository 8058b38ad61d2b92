package dev.sparkembed.udfs.engine;

import dev.sparkembed.udfs.model.ModelSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model per model fingerprint, device and thread count in this JVM, shared by every task
 * and partition that runs here, closed when the JVM exits.
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

  /** The model for {@code spec} on {@code device}, sharing {@code cores} among its callers. */
  public static EncoderModel get(ModelSpec spec, String device, int cores) {
    CpuPlan plan = CpuPlan.forCores(cores);
    String key = spec.fingerprint() + "@" + device + "/" + plan;
    return MODELS.computeIfAbsent(
        key,
        k -> {
          long start = System.nanoTime();
          EncoderModel model = EncoderModel.load(spec, plan);
          int loads = LOADS.incrementAndGet();
          LOG.info(
              "sparkembed: loaded model {} on {} ({} call(s) at a time, {} thread(s) each) in {}"
                  + " ms (model loads in this JVM: {})",
              spec.name(),
              device,
              plan.streams(),
              plan.threadsPerCall(),
              (System.nanoTime() - start) / 1_000_000,
              loads);
          return model;
        });
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
