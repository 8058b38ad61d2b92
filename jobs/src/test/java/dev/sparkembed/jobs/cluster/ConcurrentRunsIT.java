package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.udfs.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real runs on one output, each its own JVM: the second is refused while the first writes; a
 * second run that breaks the lease takes the output over, and the first stops before its next
 * commit instead of replacing the newer table.
 */
class ConcurrentRunsIT {

  private static final String MODEL = "all-minilm-l6-v2";
  private static final int PARAGRAPHS = 1_000;

  @TempDir Path dir;

  private Path corpus(int rows) throws IOException {
    Path input = dir.resolve("p" + rows + ".jsonl");
    try (Stream<String> lines = Files.lines(TestData.shared("unarxive/paragraphs.jsonl"))) {
      Files.write(input, lines.limit(rows).toList(), StandardCharsets.UTF_8);
    }
    return input;
  }

  /** Starts an overwrite of the corpus in slices and waits until it has committed one. */
  private Process startLongRun(Path input, Path output, Path log) throws IOException {
    Process run =
        LocalRun.start(
            log, List.of(), LocalRun.embed(input, output, "overwrite", "--slice-rows", "100"));
    StandaloneCluster.await(
        Duration.ofMinutes(3),
        "a committed slice",
        () -> {
          if (!run.isAlive()) {
            throw new IllegalStateException("the run ended early:\n" + StandaloneCluster.tail(log));
          }
          return committedSlices(output) > 0;
        },
        () -> StandaloneCluster.tail(log));
    return run;
  }

  private static long committedSlices(Path output) {
    try (Stream<Path> children = Files.list(output.resolve("_staging/slices-" + MODEL))) {
      return children.filter(p -> p.getFileName().toString().startsWith("slice-")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void aSecondWriterIsRefusedAndTheFirstWritesEveryRow() throws Exception {
    Path input = corpus(PARAGRAPHS);
    Path small = corpus(40);
    Path output = dir.resolve("out");
    Path firstLog = dir.resolve("first.log");
    Process first = startLongRun(input, output, firstLog);

    Path secondLog = dir.resolve("second.log");
    int second = LocalRun.run(secondLog, List.of(), LocalRun.embed(small, output, "update"));
    assertEquals(2, second, () -> StandaloneCluster.tail(secondLog));
    assertTrue(
        Files.readString(secondLog).contains("is being written by run"),
        () -> StandaloneCluster.tail(secondLog));
    assertTrue(first.isAlive(), "the first run goes on");

    assertTrue(first.waitFor(10, TimeUnit.MINUTES));
    assertEquals(0, first.exitValue(), () -> StandaloneCluster.tail(firstLog));
    Dataset<Row> table = SparkTestSession.get().read().parquet(output.resolve(MODEL).toString());
    assertEquals(PARAGRAPHS, table.count());
    assertEquals(PARAGRAPHS, table.select("paper_id", "paragraph_index").distinct().count());
    JsonNode manifest =
        new ObjectMapper().readTree(output.resolve(MODEL).resolve("_manifest.json").toFile());
    assertEquals(PARAGRAPHS, manifest.get("rows").asLong());
    assertEquals(PARAGRAPHS, manifest.get("changes").get("added").asLong());
    assertEquals(
        0,
        SparkTestSession.get().read().parquet(output.resolve("_rejected").toString()).count(),
        "the refused run wrote no rejected table");
  }

  @Test
  void aWriterWhoseLeaseWasBrokenStopsWithoutReplacingTheNewerTable() throws Exception {
    Path input = corpus(PARAGRAPHS);
    Path small = corpus(40);
    Path output = dir.resolve("out");
    Path firstLog = dir.resolve("first.log");
    Process first = startLongRun(input, output, firstLog);

    Path secondLog = dir.resolve("second.log");
    int second =
        LocalRun.run(
            secondLog, List.of(), LocalRun.embed(small, output, "overwrite", "--break-lock"));
    assertEquals(0, second, () -> StandaloneCluster.tail(secondLog));
    assertTrue(
        Files.readString(secondLog).contains("taking over the output from run"),
        () -> StandaloneCluster.tail(secondLog));

    assertTrue(first.waitFor(10, TimeUnit.MINUTES));
    assertEquals(1, first.exitValue(), () -> StandaloneCluster.tail(firstLog));
    assertTrue(
        Files.readString(firstLog).contains("lost its lease on the output"),
        () -> StandaloneCluster.tail(firstLog));

    Dataset<Row> table = SparkTestSession.get().read().parquet(output.resolve(MODEL).toString());
    assertEquals(40, table.count(), "the newer run's table stands");
    Path againLog = dir.resolve("again.log");
    assertEquals(
        0,
        LocalRun.run(againLog, List.of(), LocalRun.embed(small, output, "update")),
        () -> StandaloneCluster.tail(againLog));
    JsonNode changes =
        new ObjectMapper()
            .readTree(output.resolve(MODEL).resolve("_manifest.json").toFile())
            .get("changes");
    assertEquals(40, changes.get("unchanged").asLong(), changes::toString);
  }
}
