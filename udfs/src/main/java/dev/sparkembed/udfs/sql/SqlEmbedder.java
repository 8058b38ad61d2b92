package dev.sparkembed.udfs.sql;

import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.TextRole;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ClusterStorage;
import dev.sparkembed.udfs.model.ModelLookup;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.DeviceSettings;
import dev.sparkembed.udfs.spark.ExecutorCores;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.TaskContext;

/**
 * Embeds one text at a time for the SQL functions, with the model of this JVM's {@link ModelCache}
 * (loaded once per executor) and its files read through the driver's Hadoop configuration.
 */
final class SqlEmbedder implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String registry;
  private final ClusterStorage.Shipped hadoopConf = ClusterStorage.ship();

  /**
   * @param registry a model registry's location, or empty for the built-in one
   */
  SqlEmbedder(String registry) {
    this.registry = registry;
  }

  /** The vector of {@code text} in {@code role}; null for a null or empty text. */
  float[] embed(String text, String model, TextRole role) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    EncoderModel encoder =
        ClusterStorage.with(
            hadoopConf.get(),
            () -> {
              ModelSpec spec = ModelLookup.spec(registry, model);
              return ModelCache.get(
                  spec, DeviceSettings.AUTO.placementFor(TaskContext.get()), ExecutorCores.get());
            });
    return WindowedEmbedder.embedAll(encoder, BatchSettings.DEFAULT, List.of(text), role)[0];
  }
}
