package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.RunStopped;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusReader;
import dev.sparkembed.jobs.corpus.CorpusValidator;
import dev.sparkembed.jobs.corpus.ValidatedCorpus;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.CpuFeatures;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.Dtype;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.spark.DeviceSettings;
import dev.sparkembed.udfs.spark.EmbedPartitions;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import dev.sparkembed.udfs.spark.ExecutorCores;
import dev.sparkembed.udfs.spark.TaskTimesAccumulator;
import dev.sparkembed.udfs.spark.TokenBalancedSpread;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * The embedding job: reads and validates the corpus once, then for each model embeds the valid rows
 * on the executors and commits a table with its manifest through the run's {@link EmbeddingSink} (a
 * Parquet folder or catalog tables). A model that fails leaves the tables of the others in place.
 */
public final class EmbedJob {

  static final String JOB_GROUP = "sparkembed";

  /** Weights up to this size are probed at their max length before any work. */
  static final long PROBE_MAX_BYTES = 1L << 30;

  private final SparkSession spark;
  private final EmbedJobOptions options;
  private final PrintStream log;
  private final long progressIntervalMillis;
  private final RunTimes times;

  public EmbedJob(SparkSession spark, EmbedJobOptions options, PrintStream log) {
    this(spark, options, log, 10_000);
  }

  EmbedJob(
      SparkSession spark, EmbedJobOptions options, PrintStream log, long progressIntervalMillis) {
    this.spark = spark;
    this.options = options;
    this.log = log;
    this.progressIntervalMillis = progressIntervalMillis;
    this.times = new RunTimes(spark.sparkContext().defaultParallelism());
  }

  public EmbedResult run() {
    long start = System.nanoTime();
    EmbeddingSink sink = EmbeddingSink.of(spark, options);
    sink.checkUsable();
    String runId =
        Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    try (OutputLock lock =
        OutputLock.acquire(
            sink.work().fileSystem(),
            sink.work().root(),
            runId,
            options.mode(),
            options.breakLock(),
            log)) {
      sink.prepare(options.mode(), log);
      checkManifests(sink);
      verifyModels();
      times.since(JobStage.START, start);
      return run(sink, lock);
    }
  }

  private EmbedResult run(EmbeddingSink sink, OutputLock lock) {
    SparkContext sc = spark.sparkContext();
    String runId = lock.runId();
    sc.setJobGroup(JOB_GROUP, "Reading and checking the corpus " + options.corpus().input(), false);
    long reading = System.nanoTime();
    ValidatedCorpus validated = CorpusValidator.readAndValidate(spark, options.corpus());
    try {
      ValidatedCorpus.Counts counts = validated.counts();
      times.since(JobStage.READ_CHECK, reading);
      long rejecting = System.nanoTime();
      sc.setJobGroup(
          JOB_GROUP,
          String.format(Locale.ROOT, "Writing %,d rejected rows", counts.rejectedRows()),
          false);
      Path stagedRejected = sink.work().staging(runId, OutputLayout.REJECTED);
      Dataset<Row> rejected =
          counts.rejectedRows() == 0
              ? spark.createDataFrame(List.of(), validated.rejected().schema())
              : validated.rejected();
      rejected.write().mode(SaveMode.ErrorIfExists).parquet(stagedRejected.toString());
      sink.commitRejected(lock, stagedRejected);
      times.since(JobStage.REJECTED, rejecting);

      Manifest.Input input =
          new Manifest.Input(
              options.corpus().input(),
              CorpusReader.resolveFormat(spark, options.corpus()).name().toLowerCase(Locale.ROOT),
              counts.rowsRead(),
              counts.rejectedRows(),
              counts.identicalDuplicates());
      List<EmbedResult.ModelOutcome> outcomes = new ArrayList<>();
      for (ModelSpec spec : options.models()) {
        outcomes.add(embedOne(spec, validated, sink, lock, input));
      }
      sink.work().deleteStaging(runId);
      return new EmbedResult(counts, sink.rejectedTable(), outcomes, times);
    } finally {
      validated.release().run();
      sc.clearJobGroup();
    }
  }

  /**
   * Update and resume read each table's manifest: a damaged one stops the run before any work, not
   * after it.
   */
  private void checkManifests(EmbeddingSink sink) {
    if (options.mode() != OutputMode.UPDATE && options.mode() != OutputMode.RESUME) {
      return;
    }
    for (ModelSpec spec : options.models()) {
      sink.manifest(spec.name());
    }
  }

  /**
   * Proves every model usable before any work: its files are present with the right hashes and it
   * loads. In local mode the model loaded here is the one the tasks then use.
   */
  private void verifyModels() {
    for (ModelSpec spec : options.models()) {
      EncoderModel model;
      try {
        model = ModelCache.get(spec, ExecutorCores.get());
      } catch (ModelFileException e) {
        throw new UserError("Model " + spec.name() + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw new UserError(
            String.format(
                "Model %s cannot be loaded by %s from %s and %s (is a file corrupt, or not"
                    + " a model for that engine and its tokenizer?): %s",
                spec.name(),
                spec.runtime().engine(),
                spec.weights().location(),
                spec.runtime().files().tokenizer().location(),
                Messages.rootMessage(e)),
            e);
      }
      checkChunkOverlap(spec, model);
      checkMaxLength(spec, model);
      if (spec.runtime().dtype() == Dtype.BFLOAT16 && !model.plan().onGpu()) {
        CpuFeatures.detect()
            .bfloat16Warning()
            .ifPresent(w -> log.printf("sparkembed: warning: model %s: %s%n", spec.name(), w));
      }
    }
  }

  /**
   * The batch settings the embedding tasks run with: a GPU's defaults for the options not set when
   * the tasks are given GPUs (on a cluster, with --task-gpus or spark.task.resource.gpu.amount, and
   * --device not cpu), the CPU's otherwise.
   */
  private BatchSettings taskBatch() {
    SparkContext sc = spark.sparkContext();
    double confGpus =
        sc.getConf().getDouble("spark.task.resource." + DeviceSettings.GPU_RESOURCE + ".amount", 0);
    boolean gpus =
        !sc.isLocal()
            && !options.devices().device().equals("cpu")
            && (options.taskGpus() > 0 || confGpus > 0);
    return options.batch().on(gpus);
  }

  /**
   * An overlap of more than half a window makes each window repeat more tokens than it adds: at
   * worst one new token per window, which never ends on a long paragraph.
   */
  private void checkChunkOverlap(ModelSpec spec, EncoderModel model) {
    int window = model.tokenizer().textWindow(taskBatch().maxTokens());
    int overlap = options.longText().overlap();
    if (options.longText().chunk() && overlap > window / 2) {
      throw new UserError(
          String.format(
              Locale.ROOT,
              "Cannot set --chunk-overlap to %d: %s embeds windows of %d text tokens, and the"
                  + " overlap may be at most half a window (%d), or each window would repeat more"
                  + " tokens than it adds",
              overlap,
              spec.name(),
              window,
              window / 2));
    }
  }

  /**
   * Embeds one text of the model's max length, so a max length beyond what the model takes (its
   * position table) stops the run here rather than failing batches of long paragraphs. Models over
   * {@link #PROBE_MAX_BYTES} are not probed: the driver would spend minutes on it.
   */
  private static void checkMaxLength(ModelSpec spec, EncoderModel model) {
    long bytes = ModelStore.localCopy(spec.weights()).toFile().length();
    if (bytes > PROBE_MAX_BYTES) {
      return;
    }
    String longest = "a ".repeat(spec.text().maxLength());
    try {
      WindowedEmbedder.embedAll(model, BatchSettings.DEFAULT, List.of(longest));
    } catch (RuntimeException e) {
      throw new UserError(
          String.format(
              Locale.ROOT,
              "Model %s cannot embed a text of its max length, %,d tokens: %s; set max_length in"
                  + " the model's registry entry (or its folder's sentence_bert_config.json) to"
                  + " at most what the model takes (its config.json's max_position_embeddings)",
              spec.name(),
              spec.text().maxLength(),
              Messages.rootMessage(e)),
          e);
    }
  }

  /** Embeds with one model and commits its table; a failure is this model's alone. */
  private EmbedResult.ModelOutcome embedOne(
      ModelSpec spec,
      ValidatedCorpus validated,
      EmbeddingSink sink,
      OutputLock lock,
      Manifest.Input input) {
    String table = sink.table(spec.name());
    try {
      Manifest manifest = embedAndCommit(spec, validated, sink, lock, input);
      return new EmbedResult.ModelOutcome(spec.name(), spec.displayName(), table, manifest, null);
    } catch (RunStopped e) {
      throw e;
    } catch (Exception e) {
      log.printf("sparkembed: model %s failed: %s%n", spec.name(), Messages.rootMessage(e));
      return new EmbedResult.ModelOutcome(
          spec.name(), spec.displayName(), table, null, Messages.rootMessage(e));
    }
  }

  private Manifest embedAndCommit(
      ModelSpec spec,
      ValidatedCorpus validated,
      EmbeddingSink sink,
      OutputLock lock,
      Manifest.Input input) {
    SparkContext sc = spark.sparkContext();
    long planning = System.nanoTime();
    String runId = lock.runId();
    ValidatedCorpus.Counts counts = validated.counts();
    Path staged = sink.work().staging(runId, spec.name());
    SliceStore slices = SliceStore.of(spark, sink.work(), spec.name());
    List<String> runs = new ArrayList<>();
    IncrementalPlan plan = plan(spec, validated, sink, slices, runs);
    runs.add(runId);
    long rowsToEmbed = plan.changes().added() + plan.changes().changed();
    long estimatedTokens =
        WorkPlanner.estimatedTokens(
            rowsToEmbed,
            counts.validRows() == 0 ? 0 : counts.textChars() * rowsToEmbed / counts.validRows(),
            spec.text().maxLength());
    int sliceCount = WorkPlanner.slices(rowsToEmbed, options.sliceRows());
    LongAccumulator rowsDone = sc.longAccumulator("sparkembed " + spec.name() + " rows");
    LongAccumulator tokensDone = sc.longAccumulator("sparkembed " + spec.name() + " tokens");
    TaskTimesAccumulator stageTimes = new TaskTimesAccumulator();
    sc.register(stageTimes, "sparkembed " + spec.name() + " stage times");
    EmbedPartitions embed =
        new EmbedPartitions(
            spec,
            options.batch(),
            options.longText(),
            options.devices(),
            rowsDone,
            tokensDone,
            stageTimes);
    times.since(JobStage.PLAN, planning);
    long start = System.nanoTime();
    ProgressReporter progress =
        new ProgressReporter(
            sc,
            rowsDone,
            tokensDone,
            spec.displayName(),
            rowsToEmbed,
            estimatedTokens,
            progressIntervalMillis,
            log);
    Dataset<Row> toEmbed = sliceCount > 1 ? plan.toEmbed().persist() : plan.toEmbed();
    int partitions = 0;
    try {
      for (int slice = 0; slice < sliceCount; slice++) {
        Dataset<Row> rows =
            sliceCount == 1
                ? toEmbed
                : toEmbed.where(
                    pmod(
                            xxhash64(
                                col(EmbeddingTable.PAPER_ID), col(EmbeddingTable.PARAGRAPH_INDEX)),
                            lit(sliceCount))
                        .equalTo(slice));
        int slicePartitions =
            WorkPlanner.partitions(
                rowsToEmbed / sliceCount,
                estimatedTokens / sliceCount,
                sc.defaultParallelism(),
                options.partitions());
        partitions += slicePartitions;
        sc.setJobGroup(
            JOB_GROUP + "-" + spec.name(),
            String.format(
                Locale.ROOT,
                "Embedding %,d paragraphs with %s (slice %d of %d)",
                rowsToEmbed,
                spec.displayName(),
                slice + 1,
                sliceCount),
            false);
        GpuStage.embed(
                spark,
                TokenBalancedSpread.spread(spark, rows, slicePartitions, spec.text().maxLength()),
                embed,
                options.taskGpus(),
                log)
            .write()
            .options(EmbeddingTable.PARQUET_OPTIONS)
            .mode(SaveMode.ErrorIfExists)
            .parquet(slices.writing(runId, slice).toString());
        slices.commit(lock, runId, slice);
      }
      times.since(JobStage.EMBED, start);
      times.addTasks(stageTimes.value());
      long writing = System.nanoTime();
      sc.setJobGroup(JOB_GROUP + "-" + spec.name(), "Writing the table of " + spec.name(), false);
      Dataset<Row> fresh = slices.read(spark, runId);
      (fresh == null ? plan.kept() : plan.kept().unionByName(fresh))
          .write()
          .options(EmbeddingTable.PARQUET_OPTIONS)
          .mode(SaveMode.ErrorIfExists)
          .parquet(staged.toString());
      times.since(JobStage.TABLE, writing);
    } finally {
      progress.close();
      if (sliceCount > 1) {
        toEmbed.unpersist();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long finishing = System.nanoTime();
    sc.setJobGroup(JOB_GROUP + "-" + spec.name(), "Checking the table of " + spec.name(), false);
    Manifest manifest =
        Manifest.of(
            spec,
            TableStats.read(
                spark,
                staged.toString(),
                Math.min(spec.text().maxLength(), taskBatch().maxTokens()),
                ModelCache.get(spec, ExecutorCores.get())
                    .tokenizer()
                    .repeatedPerWindow(options.longText().overlap())),
            seconds,
            taskBatch(),
            options.longText(),
            partitions,
            input,
            plan.changes(),
            Versions.of(spark, spec.runtime().engine()),
            runId,
            runs,
            Instant.now().toString());
    sink.commit(lock, spec.name(), staged, manifest, slices.root());
    times.since(JobStage.FINISH, finishing);
    return manifest;
  }

  /**
   * What to embed and what to keep: the plan that ends with the table an uninterrupted run writes.
   * Update keeps the table's rows when it was made with the same fingerprint and long-text
   * handling. Resume continues the run whose slices it finds (made with the same): it keeps them,
   * and the table's rows too when that run was an update (with that run's --delete-missing); after
   * an overwrite run it keeps only the slices, so keys gone from the input are gone from the table.
   * With no run to continue, resume works as update. Any other run starts the slices afresh. {@code
   * runs} gets the runs whose rows are kept.
   */
  private IncrementalPlan plan(
      ModelSpec spec,
      ValidatedCorpus validated,
      EmbeddingSink sink,
      SliceStore slices,
      List<String> runs) {
    boolean keepsTable = options.mode() == OutputMode.UPDATE || options.mode() == OutputMode.RESUME;
    SliceStore.Recorded now =
        new SliceStore.Recorded(
            spec.fingerprint(), options.longText(), keepsTable, options.deleteMissing());
    SliceStore.Recorded before = slices.recorded();
    Dataset<Row> committed = null;
    if (options.mode() == OutputMode.RESUME && now.fits(before)) {
      now = before;
      committed = slices.read(spark, null);
      if (committed != null) {
        log.printf(
            Locale.ROOT,
            "sparkembed: %s: resuming with the slices of run(s) %s%n",
            spec.name(),
            String.join(", ", slices.runs()));
        runs.addAll(slices.runs());
      }
    } else {
      slices.clear();
    }
    slices.open(now);
    Dataset<Row> existing = null;
    if (now.keepsTable()) {
      Manifest manifest = sink.manifest(spec.name());
      if (manifest != null
          && spec.fingerprint().equals(manifest.fingerprint())
          && options.longText().equals(manifest.longText())) {
        existing = sink.rows(spec.name());
        if (manifest.runs() != null) {
          runs.addAll(0, manifest.runs());
        }
      }
    }
    if (committed != null) {
      existing =
          existing == null
              ? committed
              : committed.unionByName(
                  existing.join(
                      committed.select(EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX),
                      new String[] {EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX},
                      "left_anti"));
    }
    ValidatedCorpus.Counts counts = validated.counts();
    if (existing == null) {
      return IncrementalPlan.full(spark, validated.valid(), counts.validRows());
    }
    return IncrementalPlan.against(
        validated.valid(),
        validated.rejectedKeys(),
        existing,
        !now.keepsTable() || now.deleteMissing());
  }
}
