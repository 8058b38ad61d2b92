package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.TableDiff;
import dev.sparkembed.udfs.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs killed (the JVM halted as by {@code kill -9}) at every instant of the commit protocol, then
 * run again: no row is lost or doubled, and the table equals what an uninterrupted run writes. The
 * base is a table of 300 unarXive paragraphs; the update reads 40 of them, one with a changed text,
 * and one new paragraph.
 */
class CommitKillIT {

  private static final String MODEL = "all-minilm-l6-v2";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  private static Path base;
  private static Path update;
  private static Path uninterrupted;

  @TempDir Path dir;

  @BeforeAll
  static void baseAndReference() throws Exception {
    List<String> lines;
    try (Stream<String> all = Files.lines(TestData.shared("unarxive/paragraphs.jsonl"))) {
      lines = all.limit(300).toList();
    }
    Path corpus = shared.resolve("p300.jsonl");
    Files.write(corpus, lines, StandardCharsets.UTF_8);
    List<String> edited = new ArrayList<>(lines.subList(0, 40));
    ObjectNode changed = (ObjectNode) JSON.readTree(edited.get(5));
    changed.put("text", changed.get("text").asText() + " Revised for the update.");
    edited.set(5, JSON.writeValueAsString(changed));
    ObjectNode added = (ObjectNode) JSON.readTree(edited.get(0));
    added.put("paper_id", "new-paper").put("paragraph_index", 0);
    edited.add(JSON.writeValueAsString(added));
    update = shared.resolve("p40-edited.jsonl");
    Files.write(update, edited, StandardCharsets.UTF_8);

    base = shared.resolve("base");
    Path log = shared.resolve("base.log");
    assertEquals(
        0, LocalRun.run(log, List.of(), LocalRun.embed(corpus, base, "error")), () -> tail(log));
    uninterrupted = shared.resolve("uninterrupted");
    copy(base, uninterrupted);
    Path updateLog = shared.resolve("uninterrupted.log");
    assertEquals(
        0,
        LocalRun.run(updateLog, List.of(), LocalRun.embed(update, uninterrupted, "update")),
        () -> tail(updateLog));
    assertEquals(301, table(uninterrupted).count());
  }

  @ParameterizedTest(name = "killed at {0}, then --mode {1}")
  @CsvSource({
    "slice-committed:" + MODEL + ", resume",
    "commit-journal-written:_rejected, update",
    "commit-previous-moved-aside:" + MODEL + ", update",
    "commit-previous-moved-aside:" + MODEL + ", resume",
    "commit-new-in-place:" + MODEL + ", update",
    "commit-previous-deleted:" + MODEL + ", resume"
  })
  void anUpdateKilledAtAnyInstantOfItsCommitLosesNothing(String point, String mode)
      throws Exception {
    Path output = dir.resolve("out");
    copy(base, output);
    Path killedLog = dir.resolve("killed.log");
    int killed =
        LocalRun.run(
            killedLog,
            List.of("-Dsparkembed.crash-at=" + point),
            LocalRun.embed(update, output, "update", "--slice-rows", "1"));
    assertEquals(137, killed, () -> "the run halts at " + point + "\n" + tail(killedLog));
    assertTrue(
        Files.exists(output.resolve(MODEL).resolve("_manifest.json"))
            || Files.exists(output.resolve("_staging/_commits/" + MODEL + ".json")),
        "the table is where readers look, or the journal says where it is");

    // the next run, of either mode, finishes the commit first
    Path log = dir.resolve("again.log");
    assertEquals(
        0, LocalRun.run(log, List.of(), LocalRun.embed(update, output, mode)), () -> tail(log));
    if (point.startsWith("commit-") && !point.startsWith("commit-previous-deleted")) {
      assertTrue(
          Files.readString(log).contains("finished the commit of"),
          () -> "the commit the killed run began is finished: " + tail(log));
    }
    Dataset<Row> got = table(output);
    assertEquals(301, got.count(), mode + " after a kill at " + point);
    assertEquals(301, got.select("paper_id", "paragraph_index").distinct().count());
    TableDiff diff = TableDiff.of(got, table(uninterrupted));
    assertEquals(0, diff.inOneOnly(), "the keys of the uninterrupted run");
    assertTrue(diff.largestDifference() <= 1e-5, "largest difference " + diff.largestDifference());
    assertEquals(0, diff.otherDifferences());
    assertTrue(Files.notExists(output.resolve("_staging")), "staging is cleaned");
    assertTrue(Files.notExists(output.resolve("_lock.json")), "the lease is released");
    assertEquals(
        0, SparkTestSession.get().read().parquet(output.resolve("_rejected").toString()).count());
  }

  @Test
  void aKilledOverwriteResumedOnAChangedInputKeepsOnlyTheInputsKeys() throws Exception {
    Path output = dir.resolve("out");
    Path killedLog = dir.resolve("killed.log");
    int killed =
        LocalRun.run(
            killedLog,
            List.of("-Dsparkembed.crash-at=slice-committed:" + MODEL),
            LocalRun.embed(
                shared.resolve("p300.jsonl"), output, "overwrite", "--slice-rows", "100"));
    assertEquals(137, killed, () -> tail(killedLog));

    Path log = dir.resolve("resume.log");
    assertEquals(
        0, LocalRun.run(log, List.of(), LocalRun.embed(update, output, "resume")), () -> tail(log));
    assertTrue(
        Files.readString(log).contains("resuming with the slices of run(s)"), () -> tail(log));
    Dataset<Row> got = table(output);
    assertEquals(41, got.count(), "the 41 keys of the input, none of the slices' others");
    Dataset<Row> want =
        table(uninterrupted)
            .join(
                got.select("paper_id", "paragraph_index"),
                new String[] {"paper_id", "paragraph_index"},
                "left_semi");
    TableDiff diff = TableDiff.of(got, want);
    assertEquals(41, diff.keys());
    assertEquals(0, diff.inOneOnly());
    assertTrue(diff.largestDifference() <= 1e-5, "largest difference " + diff.largestDifference());
    JsonNode changes =
        JSON.readTree(output.resolve(MODEL).resolve("_manifest.json").toFile()).get("changes");
    assertEquals(
        41,
        changes.get("added").asLong()
            + changes.get("changed").asLong()
            + changes.get("unchanged").asLong()
            + changes.get("kept").asLong(),
        changes::toString);
    assertTrue(changes.get("deleted").asLong() > 0, "the slices' keys gone from the input");
  }

  private static Dataset<Row> table(Path output) {
    SparkSession spark = SparkTestSession.get();
    return spark.read().parquet(output.resolve(MODEL).toString());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  private static String tail(Path log) {
    return StandaloneCluster.tail(log);
  }
}
