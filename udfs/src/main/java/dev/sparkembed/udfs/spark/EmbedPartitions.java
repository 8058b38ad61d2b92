package dev.sparkembed.udfs.spark;

import ai.djl.inference.Predictor;
import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.Embedded;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.TaskStage;
import dev.sparkembed.udfs.embed.TaskTimes;
import dev.sparkembed.udfs.embed.TextRole;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.engine.Placement;
import dev.sparkembed.udfs.model.ClusterStorage;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of embedding, shared by the job and the {@code SentenceEmbedder} Transformer:
 * rows in, embedded rows out, as its {@link PartitionRows} reads and writes them (the job's: {@link
 * EmbeddingTable#INPUT} in, {@link EmbeddingTable#OUTPUT} out). The model comes from this JVM's
 * {@link ModelCache}; the predictor belongs to the task and is closed when the task ends. Model
 * files are read through the driver's Hadoop configuration, which the function carries.
 */
public final class EmbedPartitions implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EmbedPartitions.class);

  private final ModelSpec spec;
  private final BatchRequest batch;
  private final LongText longText;
  private final DeviceSettings devices;
  private final TextRole role;
  private final PartitionRows layout;
  private final LongAccumulator rowsDone;
  private final LongAccumulator tokensDone;
  private final TaskTimesAccumulator stageTimes;
  private final ClusterStorage.Shipped hadoopConf = ClusterStorage.ship();

  /**
   * The job's: rows of {@link EmbeddingTable#INPUT} embedded as passages.
   *
   * @param rowsDone counts embedded rows as batches finish (for progress), or null
   * @param tokensDone counts embedded tokens as batches finish, or null
   * @param stageTimes sums the time each task spends in each stage, or null
   */
  public EmbedPartitions(
      ModelSpec spec,
      BatchRequest batch,
      LongText longText,
      DeviceSettings devices,
      LongAccumulator rowsDone,
      LongAccumulator tokensDone,
      TaskTimesAccumulator stageTimes) {
    this(
        spec,
        batch,
        longText,
        devices,
        TextRole.PASSAGE,
        new TableRows(),
        rowsDone,
        tokensDone,
        stageTimes);
  }

  /** Any rows, read and written as {@code layout} says, their texts embedded in {@code role}. */
  public EmbedPartitions(
      ModelSpec spec,
      BatchRequest batch,
      LongText longText,
      DeviceSettings devices,
      TextRole role,
      PartitionRows layout) {
    this(spec, batch, longText, devices, role, layout, null, null, null);
  }

  private EmbedPartitions(
      ModelSpec spec,
      BatchRequest batch,
      LongText longText,
      DeviceSettings devices,
      TextRole role,
      PartitionRows layout,
      LongAccumulator rowsDone,
      LongAccumulator tokensDone,
      TaskTimesAccumulator stageTimes) {
    this.spec = spec;
    this.batch = batch;
    this.longText = longText;
    this.devices = devices;
    this.role = role;
    this.layout = layout;
    this.rowsDone = rowsDone;
    this.tokensDone = tokensDone;
    this.stageTimes = stageTimes;
  }

  /** The schema of the rows this function returns. */
  public StructType outputSchema() {
    return layout.outputSchema();
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    long start = System.nanoTime();
    TaskContext task = TaskContext.get();
    Placement placement = devices.placementFor(task);
    EncoderModel model =
        ClusterStorage.with(
            hadoopConf.get(), () -> ModelCache.get(spec, placement, ExecutorCores.get()));
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
    TaskTimes times = new TaskTimes();
    times.since(TaskStage.MODEL, start);
    if (task != null) {
      task.addTaskCompletionListener(
          (TaskCompletionListener)
              context -> {
                predictor.close();
                times.since(TaskStage.TASK, start);
                if (stageTimes != null) {
                  stageTimes.add(times);
                }
              });
    }
    WindowedEmbedder embedder =
        new WindowedEmbedder(
            model,
            predictor,
            batch.on(model.plan().onGpu()),
            longText,
            (batchRows, batchTokens) -> {
              if (rowsDone != null) {
                rowsDone.add(batchRows);
              }
              if (tokensDone != null) {
                tokensDone.add(batchTokens);
              }
            },
            role,
            times);
    Iterator<Embedded<Row>> embedded = embedder.embed(rows, layout::text, layout::describe);
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
        return layout.output(embedded.next());
      }
    };
  }
}
