package dev.sparkembed.jobs.bench;

import dev.sparkembed.jobs.SparkSessions;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.cli.BatchOptions;
import dev.sparkembed.jobs.cli.CorpusOptions;
import dev.sparkembed.jobs.cli.ModelOptions;
import dev.sparkembed.jobs.corpus.CorpusValidator;
import dev.sparkembed.jobs.corpus.ValidatedCorpus;
import dev.sparkembed.jobs.embed.EmbedJob;
import dev.sparkembed.jobs.embed.EmbedJobOptions;
import dev.sparkembed.jobs.embed.EmbedResult;
import dev.sparkembed.jobs.embed.OutputMode;
import dev.sparkembed.jobs.embed.RunTimes;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.Embedded;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.TaskStage;
import dev.sparkembed.udfs.embed.TaskTimes;
import dev.sparkembed.udfs.embed.TextRole;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.CpuFeatures;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.EnginePlan;
import dev.sparkembed.udfs.model.Dtype;
import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.Tier;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkembed bench}: on the same corpus and model, measures (a) the engine loop alone in
 * this JVM, (b) the full job end to end, (c) a naive baseline that does what the DJL Spark
 * extension's {@code TextEmbedder} does; prints a table and writes a JSON report. With {@code
 * --engine pytorch}, (a) and (b) run again on PyTorch, reported beside ONNX Runtime. With {@code
 * --dtypes}, (a) and (b) run for each CPU tier of the model instead, against its float32 tier.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmark the engine alone, the full job and a naive Spark baseline on the same data.")
public final class BenchCommand implements Callable<Integer> {

  @Mixin CorpusOptions corpus;
  @Mixin ModelOptions models;
  @Mixin BatchOptions batch;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Write the results as JSON to FILE.")
  Path report;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Where the job and the baseline write their tables. Default: a temp folder.")
  Path workDir;

  @Option(
      names = "--dtypes",
      split = ",",
      paramLabel = "TIER",
      description =
          "Instead: the model's CPU tiers side by side on the same rows (float32, bfloat16, int8;"
              + " float32 always runs first, the reference): each tier's engine loop and job,"
              + " tokens/s against float32, and the min and mean cosine of its vectors to"
              + " float32's. A tier not installed here is reported as skipped.")
  List<String> dtypes = new ArrayList<>();

  @Option(
      names = "--code-paths",
      description =
          "Instead: on the same cached partitions, the job's embedding stage against the"
              + " SentenceEmbedder Transformer, and the SQL function embed() on the first rows.")
  boolean codePaths;

  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "With --code-paths: embed only the first N valid rows. Default: all.")
  int rows;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description =
          "With --code-paths: alternate the job stage and the Transformer N times and keep the"
              + " best of each. With --dtypes: run every tier's engine loop and job N times,"
              + " the tiers alternating, and keep each tier's best loop and best job."
              + " Default: ${DEFAULT-VALUE}.")
  int rounds = 2;

  @Option(
      names = "--sql-rows",
      paramLabel = "N",
      description = "With --code-paths: rows the SQL function embeds. Default: ${DEFAULT-VALUE}.")
  int sqlRows = 200;

  @Override
  public Integer call() throws IOException {
    List<ModelSpec> specs;
    BatchSettings settings;
    List<Tier> tiers;
    try {
      tiers = dtypes.stream().map(t -> Tier.parse(t.trim(), "--dtypes")).toList();
      if (!tiers.isEmpty() && models.setsEngineOrDtype()) {
        throw new IllegalArgumentException(
            "Cannot set --dtypes with --dtype or --engine: --dtypes picks each tier's engine and"
                + " precision");
      }
      specs = models.resolve();
      settings = batch.toSettings();
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
    if (specs.size() != 1) {
      throw new UserError("Cannot set --models to " + specs.size() + " models: bench takes one");
    }
    ModelSpec asked = specs.get(0);
    // ONNX Runtime is the reference every other engine is reported beside
    ModelSpec spec =
        asked.runtime().files().model() != null
            ? asked.withEngine(EngineType.ONNXRUNTIME).withDtype(Dtype.FLOAT32)
            : asked;
    Path dir = workDir != null ? workDir : Files.createTempDirectory("sparkembed-bench");
    SparkSession spark = SparkSessions.getOrCreate("sparkembed bench");
    int cores = spark.sparkContext().defaultParallelism();
    PrintStream out = System.out;
    if (codePaths) {
      ValidatedCorpus validated = CorpusValidator.readAndValidate(spark, corpus.toSource());
      new CodePathsBench(spark, asked, settings, out)
          .run(
              rows > 0 ? validated.valid().limit(rows) : validated.valid(),
              batch.partitions() > 0 ? batch.partitions() : cores,
              Math.max(1, rounds),
              Math.max(1, sqlRows));
      validated.release().run();
      return 0;
    }

    ValidatedCorpus validated = CorpusValidator.readAndValidate(spark, corpus.toSource());
    List<String> texts =
        validated.valid().select(EmbeddingTable.TEXT).as(Encoders.STRING()).collectAsList();
    validated.release().run();
    out.printf(
        Locale.ROOT,
        "bench: %,d paragraphs, model %s, %d cores%n",
        texts.size(),
        spec.name(),
        cores);
    CpuFeatures cpu = CpuFeatures.detect();
    if (!tiers.isEmpty()) {
      return benchTiers(spark, asked.name(), tiers, settings, texts, cores, dir, cpu);
    }

    List<String> warmUp = texts.subList(0, Math.min(64, texts.size()));
    EngineRun main = measure(spark, spec, settings, texts, warmUp, cores, dir, out, null);
    List<EngineRun> others = new ArrayList<>();
    if (!asked.runtime().engine().equals(spec.runtime().engine())) {
      others.add(measure(spark, asked, settings, texts, warmUp, cores, dir, out, null));
    }

    long start = System.nanoTime();
    spark
        .sparkContext()
        .setJobGroup("sparkembed-bench", "Naive baseline (TextEmbedder-like)", false);
    ValidatedCorpus again = CorpusValidator.readAndValidate(spark, corpus.toSource());
    again
        .valid()
        .repartition(main.partitions())
        .mapPartitions(new NaiveBaseline(spec), Encoders.row(EmbeddingTable.OUTPUT))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(dir.resolve("baseline").toString());
    again.release().run();
    double baselineSeconds = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "bench: naive baseline  %8.1f s%n", baselineSeconds);

    BenchReport bench =
        new BenchReport(
            spec.name(),
            corpus.toSource().input(),
            texts.size(),
            cores,
            cpu.describe(),
            settings,
            main,
            baselineSeconds,
            others);
    print(bench, out);
    if (report != null) {
      Files.writeString(report, bench.toJson(), StandardCharsets.UTF_8);
      out.println("bench: report written to " + report);
    }
    return 0;
  }

  private int benchTiers(
      SparkSession spark,
      String model,
      List<Tier> tiers,
      BatchSettings settings,
      List<String> texts,
      int cores,
      Path dir,
      CpuFeatures cpu)
      throws IOException {
    PrintStream out = System.out;
    TierBench bench =
        new TierBench(
            models.tiers(),
            (spec, vectors, warm) ->
                measure(
                    spark,
                    spec,
                    settings,
                    texts,
                    warm ? texts : List.of(),
                    cores,
                    dir,
                    out,
                    vectors),
            out);
    TierReport report =
        new TierReport(
            model,
            corpus.toSource().input(),
            texts.size(),
            cores,
            settings,
            cpu.describe(),
            bench.run(model, tiers, texts.size(), Math.max(1, rounds), cpu));
    TierBench.print(report, out);
    if (this.report != null) {
      Files.writeString(this.report, report.toJson(), StandardCharsets.UTF_8);
      out.println("bench: report written to " + this.report);
    }
    return 0;
  }

  /**
   * The engine loop alone, after an untimed pass over {@code warmUp}, then the whole job, with
   * {@code spec}'s engine; the loop's vectors go to {@code vectors} when it is not null, in the
   * order of {@code texts}.
   */
  private EngineRun measure(
      SparkSession spark,
      ModelSpec spec,
      BatchSettings settings,
      List<String> texts,
      List<String> warmUp,
      int cores,
      Path dir,
      PrintStream out,
      float[][] vectors) {
    AtomicLong tokens = new AtomicLong();
    TaskTimes engineStages = new TaskTimes();
    double engineSeconds =
        engineLoop(spec, settings, texts, warmUp, cores, tokens, vectors, engineStages);
    String what = spec.name() + " " + spec.runtime().engine() + " " + spec.runtime().dtype();
    out.printf(Locale.ROOT, "bench: %s engine loop     %8.1f s%n", what, engineSeconds);
    long start = System.nanoTime();
    EmbedResult result =
        new EmbedJob(
                spark,
                new EmbedJobOptions(
                    corpus.toSource(),
                    dir.resolve(("job-" + what).replace(' ', '-')).toString(),
                    OutputMode.OVERWRITE,
                    List.of(spec),
                    settings,
                    LongText.TRUNCATE,
                    batch.partitions(),
                    false),
                System.err)
            .run();
    double jobSeconds = (System.nanoTime() - start) / 1e9;
    if (!result.succeeded()) {
      throw new IllegalStateException("the job failed: " + result.models().get(0).failure());
    }
    out.printf(Locale.ROOT, "bench: %s sparkembed job  %8.1f s%n", what, jobSeconds);
    return new EngineRun(
        spec.runtime().engine().configName(),
        spec.runtime().dtype().configName(),
        tokens.get(),
        result.models().get(0).manifest().partitions(),
        engineSeconds,
        jobSeconds,
        engineLoopStages(engineStages),
        result.times(),
        List.of(engineSeconds),
        List.of(jobSeconds));
  }

  /** The engine loop's stage times, less those only a Spark task has. */
  private static Map<String, Double> engineLoopStages(TaskTimes times) {
    Map<String, Double> stages = times.seconds();
    stages.remove(TaskStage.MODEL.key());
    stages.remove(TaskStage.TASK.key());
    return stages;
  }

  private static double engineLoop(
      ModelSpec spec,
      BatchSettings settings,
      List<String> texts,
      List<String> warmUp,
      int cores,
      AtomicLong tokens,
      float[][] vectors,
      TaskTimes stages) {
    try (EncoderModel model = EncoderModel.load(spec, EnginePlan.cpu(cores, 1));
        var predictor = model.newPredictor()) {
      WindowedEmbedder.embedAll(model, settings, warmUp);
      WindowedEmbedder embedder =
          new WindowedEmbedder(
              model,
              predictor,
              settings,
              LongText.TRUNCATE,
              (rows, batchTokens) -> {},
              TextRole.PASSAGE,
              stages);
      long start = System.nanoTime();
      Iterator<Embedded<Integer>> it =
          embedder.embed(
              IntStream.range(0, texts.size()).iterator(), texts::get, i -> "text " + (i + 1));
      while (it.hasNext()) {
        Embedded<Integer> embedded = it.next();
        tokens.addAndGet(embedded.embeddedTokens());
        if (vectors != null) {
          vectors[embedded.item()] = embedded.vector();
        }
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static void print(BenchReport r, PrintStream out) {
    EngineRun reference = r.reference();
    out.printf(
        Locale.ROOT,
        "%n%-40s %10s %12s %10s%n",
        "what (" + r.rows() + " rows, " + reference.tokens() + " tokens)",
        "seconds",
        "tokens/s",
        "vs job");
    double job = reference.jobTokensPerS();
    for (EngineRun run : concat(reference, r.otherEngines())) {
      String name = run.engine() + " " + run.dtype();
      row(out, name + " engine loop, no Spark", run.engineSeconds(), run.engineTokensPerS(), job);
      row(out, name + " sparkembed job", run.jobSeconds(), run.jobTokensPerS(), job);
    }
    row(
        out,
        "naive baseline (TextEmbedder-like)",
        r.baselineSeconds(),
        r.baselineTokensPerS(),
        job);
    out.printf(
        Locale.ROOT,
        "job/engine = %.2f, job/baseline = %.2f%n",
        r.jobVsEngine(),
        r.jobVsBaseline());
    for (EngineRun run : concat(reference, r.otherEngines())) {
      printStages(run, out);
    }
  }

  /**
   * Where the time went, in seconds: the job driver's stages (wall clock), the tasks' stages summed
   * over the tasks beside the engine loop's, and the job's Spark overhead.
   */
  private static void printStages(EngineRun run, PrintStream out) {
    RunTimes job = run.jobStages();
    out.printf(
        Locale.ROOT,
        "%n%s %s, where the time went (s)%n%-40s %12s%n",
        run.engine(),
        run.dtype(),
        "job, driver stage (wall)",
        "seconds");
    job.driverSeconds()
        .forEach((stage, seconds) -> out.printf(Locale.ROOT, "%-40s %12.2f%n", stage, seconds));
    out.printf(
        Locale.ROOT,
        "%-40s %12.2f%n%-40s %12s %12s%n",
        "spark overhead in the embed stage",
        job.sparkOverheadSeconds(),
        "task stage (sum over " + job.slots() + " slots)",
        "job",
        "engine loop");
    job.taskSeconds()
        .forEach(
            (stage, seconds) ->
                out.printf(
                    Locale.ROOT,
                    "%-40s %12.2f %12s%n",
                    stage,
                    seconds,
                    run.engineStages().containsKey(stage)
                        ? String.format(Locale.ROOT, "%.2f", run.engineStages().get(stage))
                        : "-"));
  }

  private static List<EngineRun> concat(EngineRun first, List<EngineRun> rest) {
    List<EngineRun> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  private static void row(PrintStream out, String what, double seconds, double rate, double job) {
    out.printf(Locale.ROOT, "%-40s %10.1f %12.0f %10.2f%n", what, seconds, rate, rate / job);
  }
}
