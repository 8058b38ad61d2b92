package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusReader;
import dev.sparkembed.jobs.corpus.CorpusValidator;
import dev.sparkembed.jobs.corpus.ValidatedCorpus;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.EmbedPartitions;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import dev.sparkembed.udfs.spark.ExecutorCores;
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
 * on the executors and commits a Parquet table with its manifest. A model that fails leaves the
 * tables of the others in place.
 */
public final class EmbedJob {

  static final String JOB_GROUP = "sparkembed";

  private final SparkSession spark;
  private final EmbedJobOptions options;
  private final PrintStream log;
  private final long progressIntervalMillis;

  public EmbedJob(SparkSession spark, EmbedJobOptions options, PrintStream log) {
    this(spark, options, log, 10_000);
  }

  EmbedJob(
      SparkSession spark, EmbedJobOptions options, PrintStream log, long progressIntervalMillis) {
    this.spark = spark;
    this.options = options;
    this.log = log;
    this.progressIntervalMillis = progressIntervalMillis;
  }

  public EmbedResult run() {
    SparkContext sc = spark.sparkContext();
    OutputLayout output = OutputLayout.of(spark, options.output());
    output.checkWritable(options.mode());
    verifyModels();

    String runId =
        Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    sc.setJobGroup(JOB_GROUP, "Reading and checking the corpus " + options.corpus().input(), false);
    ValidatedCorpus validated = CorpusValidator.readAndValidate(spark, options.corpus());
    try {
      ValidatedCorpus.Counts counts = validated.counts();
      sc.setJobGroup(
          JOB_GROUP,
          String.format(Locale.ROOT, "Writing %,d rejected rows", counts.rejectedRows()),
          false);
      Path stagedRejected = output.staging(runId, OutputLayout.REJECTED);
      Dataset<Row> rejected =
          counts.rejectedRows() == 0
              ? spark.createDataFrame(List.of(), validated.rejected().schema())
              : validated.rejected();
      rejected.write().mode(SaveMode.ErrorIfExists).parquet(stagedRejected.toString());
      output.commit(stagedRejected, output.rejected());

      Manifest.Input input =
          new Manifest.Input(
              options.corpus().input(),
              CorpusReader.resolveFormat(spark, options.corpus()).name().toLowerCase(Locale.ROOT),
              counts.rowsRead(),
              counts.rejectedRows(),
              counts.identicalDuplicates());
      List<EmbedResult.ModelOutcome> outcomes = new ArrayList<>();
      for (ModelSpec spec : options.models()) {
        outcomes.add(embedOne(spec, validated, output, runId, input));
      }
      output.deleteStaging(runId);
      return new EmbedResult(counts, output.rejected().toString(), outcomes);
    } finally {
      validated.release().run();
      sc.clearJobGroup();
    }
  }

  /**
   * Proves every model usable before any work: its files are present with the right hashes and it
   * loads. In local mode the model loaded here is the one the tasks then use.
   */
  private void verifyModels() {
    for (ModelSpec spec : options.models()) {
      try {
        ModelCache.get(spec, ExecutorCores.get());
      } catch (ModelFileException e) {
        throw new UserError("Model " + spec.name() + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw new UserError(
            String.format(
                "Model %s cannot be loaded by %s from %s and %s (is a file corrupt, or not"
                    + " a model for that engine and its tokenizer?): %s",
                spec.name(),
                spec.engine(),
                spec.weights().location(),
                spec.files().tokenizer().location(),
                Messages.rootMessage(e)),
            e);
      }
    }
  }

  /** Embeds with one model and commits its table; a failure is this model's alone. */
  private EmbedResult.ModelOutcome embedOne(
      ModelSpec spec,
      ValidatedCorpus validated,
      OutputLayout output,
      String runId,
      Manifest.Input input) {
    Path table = output.table(spec.name());
    try {
      Manifest manifest = embedAndCommit(spec, validated, output, runId, input);
      return new EmbedResult.ModelOutcome(
          spec.name(), spec.displayName(), table.toString(), manifest, null);
    } catch (Exception e) {
      log.printf("sparkembed: model %s failed: %s%n", spec.name(), Messages.rootMessage(e));
      return new EmbedResult.ModelOutcome(
          spec.name(), spec.displayName(), table.toString(), null, Messages.rootMessage(e));
    }
  }

  private Manifest embedAndCommit(
      ModelSpec spec,
      ValidatedCorpus validated,
      OutputLayout output,
      String runId,
      Manifest.Input input) {
    SparkContext sc = spark.sparkContext();
    ValidatedCorpus.Counts counts = validated.counts();
    Path staged = output.staging(runId, spec.name());
    Path table = output.table(spec.name());
    SliceStore slices = SliceStore.of(spark, output, spec.name());
    List<String> runs = new ArrayList<>();
    IncrementalPlan plan = plan(spec, validated, table, slices, runs);
    runs.add(runId);
    long rowsToEmbed = plan.changes().added() + plan.changes().changed();
    long estimatedTokens =
        WorkPlanner.estimatedTokens(
            rowsToEmbed,
            counts.validRows() == 0 ? 0 : counts.textChars() * rowsToEmbed / counts.validRows(),
            spec.maxLength());
    int sliceCount = WorkPlanner.slices(rowsToEmbed, options.sliceRows());
    LongAccumulator rowsDone = sc.longAccumulator("sparkembed " + spec.name() + " rows");
    LongAccumulator tokensDone = sc.longAccumulator("sparkembed " + spec.name() + " tokens");
    EmbedPartitions embed =
        new EmbedPartitions(
            spec, options.batch(), options.longText(), options.devices(), rowsDone, tokensDone);
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
                TokenBalancedSpread.spread(spark, rows, slicePartitions, spec.maxLength()),
                embed,
                options.taskGpus(),
                log)
            .write()
            .mode(SaveMode.ErrorIfExists)
            .parquet(slices.writing(runId, slice).toString());
        slices.commit(runId, slice);
      }
      sc.setJobGroup(JOB_GROUP + "-" + spec.name(), "Writing the table of " + spec.name(), false);
      Dataset<Row> fresh = slices.read(spark, runId);
      (fresh == null ? plan.kept() : plan.kept().unionByName(fresh))
          .write()
          .mode(SaveMode.ErrorIfExists)
          .parquet(staged.toString());
    } finally {
      progress.close();
      if (sliceCount > 1) {
        toEmbed.unpersist();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    sc.setJobGroup(JOB_GROUP + "-" + spec.name(), "Checking the table of " + spec.name(), false);
    Manifest manifest =
        Manifest.of(
            spec,
            TableStats.read(spark, staged.toString(), spec.maxLength()),
            seconds,
            options.batch(),
            options.longText(),
            partitions,
            input,
            plan.changes(),
            Versions.of(spark),
            runId,
            runs,
            Instant.now().toString());
    output.writeFile(new Path(staged, OutputLayout.MANIFEST), manifest.toJson());
    output.commit(staged, table);
    slices.clear();
    return manifest;
  }

  /**
   * What to embed and what to keep. Update and resume keep the table's rows when it was made with
   * the same fingerprint and long-text handling; resume also keeps the slices a killed run
   * committed, and takes its --delete-missing from that run. Any other run starts the slices
   * afresh. {@code runs} gets the runs whose rows are kept.
   */
  private IncrementalPlan plan(
      ModelSpec spec, ValidatedCorpus validated, Path table, SliceStore slices, List<String> runs) {
    boolean resume = options.mode() == OutputMode.RESUME;
    SliceStore.Recorded now =
        new SliceStore.Recorded(spec.fingerprint(), options.longText(), options.deleteMissing());
    Dataset<Row> existing = null;
    if (options.mode() == OutputMode.UPDATE || resume) {
      Manifest manifest = IncrementalPlan.readManifest(spark, table);
      if (manifest != null
          && spec.fingerprint().equals(manifest.fingerprint())
          && options.longText().equals(manifest.longText())) {
        existing = spark.read().parquet(table.toString());
        if (manifest.runs() != null) {
          runs.addAll(manifest.runs());
        }
      }
    }
    SliceStore.Recorded before = slices.recorded();
    if (resume
        && before != null
        && before.fingerprint().equals(now.fingerprint())
        && before.longText().equals(now.longText())) {
      now = before;
      Dataset<Row> committed = slices.read(spark, null);
      if (committed != null) {
        log.printf(
            Locale.ROOT,
            "sparkembed: %s: resuming with the slices of run(s) %s%n",
            spec.name(),
            String.join(", ", slices.runs()));
        runs.addAll(slices.runs());
        existing =
            existing == null
                ? committed
                : committed.unionByName(
                    existing.join(
                        committed.select(EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX),
                        new String[] {EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX},
                        "left_anti"));
      }
    } else {
      slices.clear();
    }
    slices.open(now);
    ValidatedCorpus.Counts counts = validated.counts();
    return existing == null
        ? IncrementalPlan.full(spark, validated.valid(), counts.validRows())
        : IncrementalPlan.against(validated.valid(), existing, now.deleteMissing());
  }
}
