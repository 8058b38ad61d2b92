package dev.sparkembed.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.TextRole;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.ml.SentenceEmbedder;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.DeviceSettings;
import dev.sparkembed.udfs.spark.EmbedPartitions;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import dev.sparkembed.udfs.spark.ExecutorCores;
import dev.sparkembed.udfs.spark.TableRows;
import dev.sparkembed.udfs.spark.TokenBalancedSpread;
import dev.sparkembed.udfs.sql.EmbedFunctions;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sparkembed bench --code-paths}: on the same cached partitions, the embed job's embedding
 * stage against the {@code SentenceEmbedder} Transformer (alternating, best of {@code rounds}
 * each), and the SQL function {@code embed(text, model)} on the first rows. Besides wall time it
 * reports the CPU time this JVM spent (local mode: driver and executor are this process), which
 * other processes on a shared machine do not inflate.
 */
final class CodePathsBench {

  private final SparkSession spark;
  private final ModelSpec spec;
  private final BatchSettings settings;
  private final PrintStream out;

  CodePathsBench(SparkSession spark, ModelSpec spec, BatchSettings settings, PrintStream out) {
    this.spark = spark;
    this.spec = spec;
    this.settings = settings;
    this.out = out;
  }

  /**
   * @param valid the corpus's valid rows, in {@link EmbeddingTable#INPUT} layout
   */
  void run(Dataset<Row> valid, int partitions, int rounds, int sqlRows) {
    int maxLength = spec.text().maxLength();
    Dataset<Row> rows = TokenBalancedSpread.spread(spark, valid, partitions, maxLength).persist();
    long count = rows.count();
    ModelCache.get(spec, ExecutorCores.get());
    EmbedPartitions stage =
        new EmbedPartitions(
            spec,
            BatchRequest.of(settings),
            LongText.TRUNCATE,
            DeviceSettings.AUTO,
            TextRole.PASSAGE,
            new TableRows());
    SentenceEmbedder transformer =
        new SentenceEmbedder()
            .setModel(spec.name())
            .setBatchSize(settings.maxRows())
            .setBatchTokens(settings.maxTokens())
            .setWindowRows(settings.windowRows())
            .setTokenCountCol(EmbeddingTable.TOKEN_COUNT);
    Dataset<Row> jobStage = rows.mapPartitions(stage, Encoders.row(EmbeddingTable.OUTPUT));
    Dataset<Row> transformed = transformer.transform(rows);
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
    double[] bestCpu = {Double.MAX_VALUE, Double.MAX_VALUE};
    long[] embeddedTokens = new long[2];
    for (int round = 0; round < rounds; round++) {
      // each round starts with the other path, so neither always runs on a warmer machine
      for (int i = 0; i < 2; i++) {
        int path = (round + i) % 2;
        Dataset<Row> embedded = path == 0 ? jobStage : transformed;
        double cpuBefore = cpuSeconds();
        best[path] =
            Math.min(best[path], seconds(() -> embeddedTokens[path] = tokens(embedded, maxLength)));
        bestCpu[path] = Math.min(bestCpu[path], cpuSeconds() - cpuBefore);
      }
      if (embeddedTokens[0] != embeddedTokens[1]) {
        throw new IllegalStateException(
            "the job stage embedded "
                + embeddedTokens[0]
                + " tokens, the Transformer "
                + embeddedTokens[1]);
      }
    }
    double jobBest = best[0];
    double transformerBest = best[1];
    EmbedFunctions.register(spark);
    Dataset<Row> sqlInput = rows.limit(sqlRows).persist();
    long sqlCount = sqlInput.count();
    double sqlCpuBefore = cpuSeconds();
    double sqlSeconds =
        seconds(
            () ->
                sqlInput
                    .selectExpr("embed(text, '" + spec.name() + "') as v")
                    .where("v is not null")
                    .count());
    double sqlCpu = cpuSeconds() - sqlCpuBefore;
    rows.unpersist();
    sqlInput.unpersist();

    out.printf(
        Locale.ROOT,
        "%ncode paths: %,d rows, %,d tokens, %d partitions, model %s, best of %d%n",
        count,
        embeddedTokens[0],
        partitions,
        spec.name(),
        rounds);
    out.printf(
        Locale.ROOT,
        "%-34s %9s %9s %10s %8s %9s %11s %8s%n",
        "what",
        "seconds",
        "rows/s",
        "tokens/s",
        "vs job",
        "CPU s",
        "rows/CPU s",
        "vs job");
    double jobPerCpu = count / bestCpu[0];
    line("job embedding stage", jobBest, bestCpu[0], count, embeddedTokens[0], jobBest, jobPerCpu);
    line(
        "SentenceEmbedder.transform",
        transformerBest,
        bestCpu[1],
        count,
        embeddedTokens[0],
        jobBest,
        jobPerCpu);
    out.printf(
        Locale.ROOT,
        "%-34s %9.1f %9.1f %10s %8.2f %9.1f %11.2f %8.2f%n",
        "SQL embed(text, model), " + sqlCount + " rows",
        sqlSeconds,
        sqlCount / sqlSeconds,
        "-",
        (sqlCount / sqlSeconds) / (count / jobBest),
        sqlCpu,
        sqlCount / sqlCpu,
        (sqlCount / sqlCpu) / jobPerCpu);
  }

  private void line(
      String what,
      double seconds,
      double cpu,
      long rows,
      long tokens,
      double job,
      double jobRowsPerCpu) {
    out.printf(
        Locale.ROOT,
        "%-34s %9.1f %9.1f %10.0f %8.2f %9.1f %11.2f %8.2f%n",
        what,
        seconds,
        rows / seconds,
        tokens / seconds,
        job / seconds,
        cpu,
        rows / cpu,
        (rows / cpu) / jobRowsPerCpu);
  }

  /** CPU time this JVM has used, all threads. */
  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  /** Tokens the model read: the embedding and the sum run in one pass over the rows. */
  private static long tokens(Dataset<Row> embedded, int maxLength) {
    Row total = embedded.agg(sum(least(col(EmbeddingTable.TOKEN_COUNT), lit(maxLength)))).first();
    return total.isNullAt(0) ? 0 : total.getLong(0);
  }

  private static double seconds(Supplier<?> work) {
    long start = System.nanoTime();
    work.get();
    return (System.nanoTime() - start) / 1e9;
  }
}
