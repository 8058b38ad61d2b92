package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.TableDiff;
import dev.sparkembed.udfs.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embed command, run as its own JVM in local mode, is killed with SIGKILL twice while it
 * embeds, then finished with {@code --mode resume}: the table equals an uninterrupted run's (same
 * keys, same vectors), nothing is half-written where readers look, and the resumed runs embed only
 * what the killed ones had not committed.
 */
class KilledRunResumeIT {

  private static final int PARAGRAPHS = 2_000;
  private static final String MODEL = "all-minilm-l6-v2";
  private static final String SLICE_ROWS = "250";

  @TempDir Path dir;

  private Process start(Path input, Path output, String mode, Path log) throws IOException {
    return LocalRun.start(
        log, List.of(), LocalRun.embed(input, output, mode, "--slice-rows", SLICE_ROWS));
  }

  private static long committedSlices(Path output) {
    Path slices = output.resolve("_staging/slices-" + MODEL);
    if (!Files.isDirectory(slices)) {
      return 0;
    }
    try (Stream<Path> children = Files.list(slices)) {
      return children.filter(p -> p.getFileName().toString().startsWith("slice-")).count();
    } catch (IOException e) {
      return 0; // the run renamed or cleaned the folder while it was listed
    }
  }

  /** Starts a run and kills it (SIGKILL, the whole JVM) once it has committed {@code slices}. */
  private void killAfter(Path input, Path output, String mode, long slices, Path log)
      throws Exception {
    Process run = start(input, output, mode, log);
    StandaloneCluster.await(
        Duration.ofMinutes(3),
        slices + " committed slices",
        () -> {
          if (!run.isAlive()) {
            throw new IllegalStateException(
                "the run ended before it could be killed:\n" + StandaloneCluster.tail(log));
          }
          return committedSlices(output) >= slices;
        },
        () -> StandaloneCluster.tail(log));
    run.destroyForcibly();
    run.waitFor();
    assertTrue(
        Files.notExists(output.resolve(MODEL)), "no table where readers look after a killed run");
  }

  @Test
  void aRunKilledTwiceAndResumedWritesTheTableAnUninterruptedRunWrites() throws Exception {
    Path input = dir.resolve("corpus.jsonl");
    try (Stream<String> lines = Files.lines(TestData.shared("unarxive/paragraphs.jsonl"))) {
      Files.write(input, lines.limit(PARAGRAPHS).toList(), StandardCharsets.UTF_8);
    }
    Path output = dir.resolve("killed");
    killAfter(input, output, "error", 1, dir.resolve("run-1.log"));
    long afterFirst = committedSlices(output);
    killAfter(input, output, "resume", afterFirst + 1, dir.resolve("run-2.log"));
    long afterSecond = committedSlices(output);

    Path log = dir.resolve("run-3.log");
    Process last = start(input, output, "resume", log);
    assertEquals(0, last.waitFor(), () -> StandaloneCluster.tail(log));
    assertTrue(Files.notExists(output.resolve("_staging")), "staging is cleaned after the commit");

    Path reference = dir.resolve("uninterrupted");
    Path referenceLog = dir.resolve("uninterrupted.log");
    assertEquals(
        0,
        start(input, reference, "error", referenceLog).waitFor(),
        () -> StandaloneCluster.tail(referenceLog));

    JsonNode manifest =
        new ObjectMapper().readTree(output.resolve(MODEL).resolve("_manifest.json").toFile());
    JsonNode changes = manifest.get("changes");
    assertEquals(3, manifest.get("runs").size(), "the manifest names the three runs: " + manifest);
    long slicesBefore = afterSecond;
    assertTrue(slicesBefore >= 2, "two kills each left committed slices");
    assertTrue(
        changes.get("added").asLong() < PARAGRAPHS,
        "the last run embedded only what was missing: " + changes);
    assertEquals(
        PARAGRAPHS,
        changes.get("added").asLong() + changes.get("unchanged").asLong(),
        "every paragraph counted once: " + changes);

    SparkSession spark = SparkTestSession.get();
    Dataset<Row> got = spark.read().parquet(output.resolve(MODEL).toString());
    Dataset<Row> want = spark.read().parquet(reference.resolve(MODEL).toString());
    assertEquals(PARAGRAPHS, got.count());
    assertEquals(PARAGRAPHS, got.select("paper_id", "paragraph_index").distinct().count());
    TableDiff diff = TableDiff.of(got, want);
    assertEquals(PARAGRAPHS, diff.keys(), "the same keys");
    assertEquals(0, diff.inOneOnly(), "no key in one table only");
    assertTrue(diff.largestDifference() <= 1e-5, "largest difference " + diff.largestDifference());
    assertEquals(0, diff.otherDifferences());
    assertTrue(
        Files.readString(dir.resolve("run-2.log")).contains("resuming with the slices of run(s)"),
        "the second run resumed the first's slices");
  }
}
