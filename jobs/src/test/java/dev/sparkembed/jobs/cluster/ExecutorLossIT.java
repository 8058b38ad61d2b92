package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.cluster.StandaloneCluster.Executor;
import dev.sparkembed.jobs.cluster.StandaloneCluster.Submission;
import dev.sparkembed.jobs.cluster.StandaloneCluster.WorkerSpec;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * On a real standalone cluster (a master and two one-core workers, each its own JVM), an executor
 * JVM is killed with SIGKILL while the embedding stage runs. The master starts a replacement, Spark
 * runs the lost tasks again, and the table still holds every paragraph exactly once, with the same
 * vectors as an in-process run.
 */
class ExecutorLossIT {

  /** About 150k tokens: 30 to 60 s of embedding on two one-core executors here. */
  private static final int PARAGRAPHS = 2_000;

  /** How long after the first model load the executor is killed: some batches are done by then. */
  private static final Duration KILL_DELAY = Duration.ofSeconds(5);

  private static final int PARTITIONS = 8;
  private static final String MODEL = "all-minilm-l6-v2";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aKilledExecutorIsReplacedAndEveryParagraphIsEmbeddedOnce() throws Exception {
    Path unarxive = TestData.shared("unarxive/paragraphs.jsonl");
    try (StandaloneCluster cluster =
        StandaloneCluster.start("executor-loss", WorkerSpec.of(1, "1g"), WorkerSpec.of(1, "1g"))) {
      Path input = cluster.dir().resolve("corpus.jsonl");
      Map<String, String> texts = writeCorpus(unarxive, input);
      Path output = cluster.dir().resolve("embeddings");
      Submission run =
          cluster
              .submit("embed")
              .args(
                  "embed",
                  "--input",
                  input.toString(),
                  "--output",
                  output.toString(),
                  "--models",
                  MODEL,
                  "--partitions",
                  Integer.toString(PARTITIONS),
                  // Spark's own "lost task" lines, which this test reads (quiet without it; the
                  // scheduler's logger that writes them is the same on Spark 3.5 and 4)
                  "--verbose")
              .start();

      // Kill an executor a few seconds into the embedding stage: each executor loads the model when
      // its first embedding task starts.
      StandaloneCluster.await(
          Duration.ofMinutes(2),
          "an executor to load the model",
          () -> {
            if (!run.process().isAlive()) {
              throw new IllegalStateException(
                  "spark-submit ended early with code "
                      + run.process().exitValue()
                      + "\n"
                      + cluster.diagnostics());
            }
            return loadedModel(cluster).isPresent();
          },
          cluster::diagnostics);
      Thread.sleep(KILL_DELAY.toMillis());
      Executor victim = loadedModel(cluster).orElseThrow();
      assertTrue(run.process().isAlive(), "the run ended before an executor could be killed");
      cluster.kill(victim);
      assertFalse(victim.process().isAlive());

      assertEquals(
          0,
          run.waitFor(Duration.ofMinutes(3)),
          () -> "spark-submit failed\n" + cluster.diagnostics());

      // The executor died of SIGKILL (exit 137) while it ran an embedding task; the master removed
      // it and launched another in its place.
      String lost = victim.appId() + "/" + victim.executorId();
      String driverLog = run.logText();
      assertTrue(
          cluster.masterLog().contains("Removing executor " + lost + " because"),
          () -> "the master removed executor " + lost + "\n" + cluster.diagnostics());
      assertTrue(
          driverLog.contains(
              "Lost executor "
                  + victim.executorId()
                  + " on 127.0.0.1: Command exited with code 137"),
          () -> "the driver lost executor " + victim.executorId() + "\n" + cluster.diagnostics());
      assertTrue(
          driverLog.contains(
              "(127.0.0.1 executor " + victim.executorId() + "): ExecutorLostFailure"),
          () -> "a task was running on the killed executor\n" + cluster.diagnostics());
      long executorsOfApp =
          cluster.executorLogs().keySet().stream()
              .filter(
                  f -> f.getParent().getParent().getFileName().toString().equals(victim.appId()))
              .count();
      assertTrue(
          executorsOfApp >= 3,
          () -> "a replacement executor was launched\n" + cluster.executorLogs().keySet());

      checkTable(output, texts);
    }
  }

  /** Every valid paragraph exactly once, the two bad rows rejected, vectors as in-process. */
  private static void checkTable(Path output, Map<String, String> texts) {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> table = spark.read().parquet(output.resolve(MODEL).toString());
    List<Row> keys = table.select("paper_id", "paragraph_index").collectAsList();
    Set<String> seen = new HashSet<>();
    for (Row key : keys) {
      assertTrue(seen.add(key(key.getString(0), key.getInt(1))), "key twice: " + key);
    }
    assertEquals(texts.keySet(), seen, "the table's keys are the input's valid keys");
    assertEquals(PARAGRAPHS, keys.size());
    assertEquals(2, spark.read().parquet(output.resolve("_rejected").toString()).count());

    // A sample of rows against the same model run in this JVM.
    List<Row> sample =
        table
            .where("pmod(hash(paper_id, paragraph_index), 100) = 0")
            .select("paper_id", "paragraph_index", "embedding")
            .collectAsList();
    assertTrue(sample.size() >= 10, "sample of " + sample.size());
    List<String> sampleTexts = new ArrayList<>();
    for (Row row : sample) {
      sampleTexts.add(texts.get(key(row.getString(0), row.getInt(1))));
    }
    float[][] reference =
        WindowedEmbedder.embedAll(
            ModelCache.get(ModelRegistry.builtIn().get(MODEL), 1),
            BatchSettings.DEFAULT,
            sampleTexts);
    for (int i = 0; i < sample.size(); i++) {
      List<Float> vector = sample.get(i).getList(2);
      double cos = cosine(vector, reference[i]);
      assertTrue(cos >= 0.99999, "cosine " + cos + " for " + sample.get(i).mkString(" "));
    }
  }

  /**
   * Writes the first {@link #PARAGRAPHS} paragraphs of the unarXive corpus and two bad rows to
   * {@code input}; returns the valid paragraphs' texts by key.
   */
  private static Map<String, String> writeCorpus(Path unarxive, Path input) throws IOException {
    Map<String, String> texts = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(unarxive, StandardCharsets.UTF_8)) {
      String line;
      while (texts.size() < PARAGRAPHS && (line = reader.readLine()) != null) {
        JsonNode row = JSON.readTree(line);
        texts.put(
            key(row.get("paper_id").asText(), row.get("paragraph_index").asInt()),
            row.get("text").asText());
        lines.add(line);
      }
    }
    assertEquals(PARAGRAPHS, texts.size(), "distinct keys in the first lines of " + unarxive);
    lines.add("{\"paper_id\":\"bad-1\",\"paragraph_index\":0,\"text\":\"   \"}");
    lines.add(
        "{\"paper_id\":\"\",\"paragraph_index\":1,\"text\":\"A paragraph without a paper.\"}");
    Files.write(input, lines, StandardCharsets.UTF_8);
    return texts;
  }

  /** A running executor that has loaded the model, if any. */
  private static Optional<Executor> loadedModel(StandaloneCluster cluster) {
    return cluster.executors().stream()
        .filter(e -> StandaloneCluster.read(e.stderr()).contains("sparkembed: loaded model"))
        .findFirst();
  }

  private static String key(String paperId, int paragraphIndex) {
    return paperId + "#" + paragraphIndex;
  }

  private static double cosine(List<Float> a, float[] b) {
    assertEquals(b.length, a.size());
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < b.length; i++) {
      dot += a.get(i) * b[i];
      na += a.get(i) * a.get(i);
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
