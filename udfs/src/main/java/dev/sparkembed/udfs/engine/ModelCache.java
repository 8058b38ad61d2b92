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

  public static EncoderModel get(ModelSpec spec, String device, int threads) {
    String key = spec.fingerprint() + "@" + device + "/threads=" + threads;
    return MODELS.computeIfAbsent(
        key,
        k -> {
          long start = System.nanoTime();
          EncoderModel model = EncoderModel.load(spec, threads);
          int loads = LOADS.incrementAndGet();
          LOG.info(
              "sparkembed: loaded model {} on {} with {} thread(s) in {} ms (model loads in this"
                  + " JVM: {})",
              spec.name(),
              device,
              threads,
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
