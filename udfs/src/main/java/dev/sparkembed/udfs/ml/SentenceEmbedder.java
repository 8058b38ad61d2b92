package dev.sparkembed.udfs.ml;

import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.spark.EmbedPartitions;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that adds a text column's embedding to every row, keeping every
 * row and column of its input. It runs the embedding job's executor path: the model loaded once per
 * executor JVM, each partition's texts tokenized in windows, sorted by length and cut into
 * token-budget batches. A null or empty text gives a null vector.
 *
 * <pre>{@code
 * Dataset<Row> withVectors =
 *     new SentenceEmbedder().setInputCol("text").setOutputCol("v")
 *         .setModel("bge-small-en-v1.5").transform(paragraphs);
 * }</pre>
 */
public final class SentenceEmbedder extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;

  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> model;
  private final Param<String> registry;
  private final Param<String> role;
  private final Param<String> task;
  private final IntParam batchSize;
  private final IntParam batchTokens;
  private final IntParam windowRows;
  private final Param<String> longText;
  private final IntParam chunkOverlap;
  private final Param<String> device;
  private final Param<String> tokenCountCol;
  private final Param<String> truncatedCol;

  public SentenceEmbedder() {
    this(Identifiable.randomUID("sentenceEmbedder"));
  }

  public SentenceEmbedder(String uid) {
    this.uid = uid;
    // a param takes its parent's uid when it is made, so the params are made after the uid
    this.inputCol = new Param<>(this, "inputCol", "the string column to embed");
    this.outputCol = new Param<>(this, "outputCol", "the array<float> column the vectors go to");
    this.model =
        new Param<>(
            this,
            "model",
            "a model registry name or a model folder (path or URI); empty: the registry's default");
    this.registry =
        new Param<>(
            this, "registry", "a model registry (YAML) path or URI; empty: the built-in registry");
    this.role =
        new Param<>(
            this,
            "role",
            "passage (the model's passage prefix) or query (its query prefix or instruction)");
    this.task =
        new Param<>(
            this,
            "task",
            "the task of a query instruction with {task}, role query only; empty: the model's own");
    this.batchSize = new IntParam(this, "batchSize", "most texts per engine call");
    this.batchTokens =
        new IntParam(this, "batchTokens", "most tokens per engine call, padding included");
    this.windowRows =
        new IntParam(this, "windowRows", "texts tokenized and sorted by length together");
    this.longText =
        new Param<>(
            this,
            "longText",
            "truncate (embed the first max-length tokens) or chunk (overlapping windows, pooled)");
    this.chunkOverlap =
        new IntParam(this, "chunkOverlap", "text tokens consecutive windows share when chunking");
    this.device =
        new Param<>(
            this, "device", "auto (the task's GPU if Spark assigned one, else CPU), gpu or cpu");
    this.tokenCountCol =
        new Param<>(this, "tokenCountCol", "a column for each text's token count; empty: none");
    this.truncatedCol =
        new Param<>(this, "truncatedCol", "a column for whether a text was truncated; empty: none");
    setDefault(inputCol, "text");
    setDefault(outputCol, "embedding");
    setDefault(model, "");
    setDefault(registry, "");
    setDefault(role, "passage");
    setDefault(task, "");
    setDefault(batchSize, BatchSettings.DEFAULT.maxRows());
    setDefault(batchTokens, BatchSettings.DEFAULT.maxTokens());
    setDefault(windowRows, BatchSettings.DEFAULT.windowRows());
    setDefault(longText, "truncate");
    setDefault(chunkOverlap, LongText.DEFAULT_OVERLAP);
    setDefault(device, "auto");
    setDefault(tokenCountCol, "");
    setDefault(truncatedCol, "");
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return EmbedderSetup.of(this, schema).layout().outputSchema();
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    EmbedPartitions embed = EmbedderSetup.of(this, dataset.schema()).partitions();
    return dataset.toDF().mapPartitions(embed, Encoders.row(embed.outputSchema()));
  }

  @Override
  public SentenceEmbedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a SentenceEmbedder saved with {@code write().save(path)}. */
  public static MLReader<SentenceEmbedder> read() {
    return new DefaultParamsReader<>();
  }

  public static SentenceEmbedder load(String path) {
    return read().load(path);
  }

  // ---- the params, as Spark ML finds them (public methods returning Param) ----

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> model() {
    return model;
  }

  public Param<String> registry() {
    return registry;
  }

  public Param<String> role() {
    return role;
  }

  public Param<String> task() {
    return task;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam batchTokens() {
    return batchTokens;
  }

  public IntParam windowRows() {
    return windowRows;
  }

  public Param<String> longText() {
    return longText;
  }

  public IntParam chunkOverlap() {
    return chunkOverlap;
  }

  public Param<String> device() {
    return device;
  }

  public Param<String> tokenCountCol() {
    return tokenCountCol;
  }

  public Param<String> truncatedCol() {
    return truncatedCol;
  }

  // ---- setters and getters ----

  public SentenceEmbedder setInputCol(String value) {
    return with(inputCol, value);
  }

  public SentenceEmbedder setOutputCol(String value) {
    return with(outputCol, value);
  }

  public SentenceEmbedder setModel(String value) {
    return with(model, value);
  }

  public SentenceEmbedder setRegistry(String value) {
    return with(registry, value);
  }

  public SentenceEmbedder setRole(String value) {
    return with(role, value);
  }

  public SentenceEmbedder setTask(String value) {
    return with(task, value);
  }

  public SentenceEmbedder setBatchSize(int value) {
    return with(batchSize, value);
  }

  public SentenceEmbedder setBatchTokens(int value) {
    return with(batchTokens, value);
  }

  public SentenceEmbedder setWindowRows(int value) {
    return with(windowRows, value);
  }

  public SentenceEmbedder setLongText(String value) {
    return with(longText, value);
  }

  public SentenceEmbedder setChunkOverlap(int value) {
    return with(chunkOverlap, value);
  }

  public SentenceEmbedder setDevice(String value) {
    return with(device, value);
  }

  public SentenceEmbedder setTokenCountCol(String value) {
    return with(tokenCountCol, value);
  }

  public SentenceEmbedder setTruncatedCol(String value) {
    return with(truncatedCol, value);
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public String getModel() {
    return $(model);
  }

  public String getRegistry() {
    return $(registry);
  }

  public String getRole() {
    return $(role);
  }

  public String getTask() {
    return $(task);
  }

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  public int getBatchTokens() {
    return (Integer) $(batchTokens);
  }

  public int getWindowRows() {
    return (Integer) $(windowRows);
  }

  public String getLongText() {
    return $(longText);
  }

  public int getChunkOverlap() {
    return (Integer) $(chunkOverlap);
  }

  public String getDevice() {
    return $(device);
  }

  public String getTokenCountCol() {
    return $(tokenCountCol);
  }

  public String getTruncatedCol() {
    return $(truncatedCol);
  }

  private <T> SentenceEmbedder with(Param<T> param, T value) {
    set(param, value);
    return this;
  }
}
