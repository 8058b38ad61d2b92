package dev.sparkembed.udfs.spark;

import ai.djl.inference.Predictor;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.Embedded;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.engine.Placement;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of the embedding job: rows of {@link EmbeddingTable#INPUT} in, rows of {@link
 * EmbeddingTable#OUTPUT} out. The model comes from this JVM's {@link ModelCache}; the predictor
 * belongs to the task and is closed when the task ends.
 */
public final class EmbedPartitions implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EmbedPartitions.class);

  private final ModelSpec spec;
  private final BatchSettings settings;
  private final LongText longText;
  private final DeviceSettings devices;
  private final LongAccumulator rowsDone;
  private final LongAccumulator tokensDone;

  /**
   * @param rowsDone counts embedded rows as batches finish (for progress), or null
   * @param tokensDone counts embedded tokens as batches finish, or null
   */
  public EmbedPartitions(
      ModelSpec spec,
      BatchSettings settings,
      LongText longText,
      DeviceSettings devices,
      LongAccumulator rowsDone,
      LongAccumulator tokensDone) {
    this.spec = spec;
    this.settings = settings;
    this.longText = longText;
    this.devices = devices;
    this.rowsDone = rowsDone;
    this.tokensDone = tokensDone;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskContext task = TaskContext.get();
    Placement placement = devices.placementFor(task);
    EncoderModel model = ModelCache.get(spec, placement, ExecutorCores.get());
    if (task != null) {
      LOG.info(
          "sparkembed: task {} (partition {}) embeds with {} for {} on {}",
          task.taskAttemptId(),
          task.partitionId(),
          spec.name(),
          placement.key(),
          model.plan().device());
    }
    Predictor<EncodedBatch, float[][]> predictor = model.newPredictor();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> predictor.close());
    }
    WindowedEmbedder embedder =
        new WindowedEmbedder(
            model,
            predictor,
            model.plan().onGpu() && settings.equals(BatchSettings.DEFAULT)
                ? BatchSettings.GPU_DEFAULT
                : settings,
            longText,
            (batchRows, batchTokens) -> {
              if (rowsDone != null) {
                rowsDone.add(batchRows);
              }
              if (tokensDone != null) {
                tokensDone.add(batchTokens);
              }
            });
    Iterator<Embedded<Row>> embedded =
        embedder.embed(
            rows,
            row -> row.getString(2),
            row -> "paper_id=" + row.getString(0) + ", paragraph_index=" + row.getInt(1));
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = embedded.hasNext();
        if (!more && task == null) {
          predictor.close();
        }
        return more;
      }

      @Override
      public Row next() {
        Embedded<Row> e = embedded.next();
        Row in = e.item();
        return RowFactory.create(
            in.getString(0),
            in.getInt(1),
            e.vector(),
            e.tokenCount(),
            e.truncated(),
            e.chunks(),
            in.getString(3));
      }
    };
  }
}
