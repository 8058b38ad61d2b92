package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkembed.udfs.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --output-table} on real Delta Lake and Iceberg tables (Delta by path in the session
 * catalog, Iceberg in a Hadoop catalog on a local folder), each run its own JVM as {@code
 * spark-submit} runs it: 300 unarXive paragraphs written, a run killed after its first slice and
 * resumed, then an update that changes 10 paragraphs, adds 5 and removes 5, and an overwrite of the
 * resumed table with the updated paragraphs. What each commit wrote is read from the table's own
 * log (Delta's {@code _delta_log}, Iceberg's snapshot summaries), the rows through {@code
 * sparkembed export --catalog-table}.
 */
class CatalogTablesIT {

  private static final String MODEL = "all-minilm-l6-v2";
  private static final String TABLE = "all_minilm_l6_v2";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path corpus;
  private static Path update;
  private static List<String> properties;

  @BeforeAll
  static void corpora() throws IOException {
    List<String> lines;
    try (Stream<String> all = Files.lines(TestData.shared("unarxive/paragraphs.jsonl"))) {
      lines = all.limit(300).toList();
    }
    corpus = dir.resolve("p300.jsonl");
    Files.write(corpus, lines, StandardCharsets.UTF_8);
    List<String> edited = new ArrayList<>(lines.subList(0, 295));
    for (int i = 0; i < 10; i++) {
      ObjectNode changed = (ObjectNode) JSON.readTree(edited.get(i));
      changed.put("text", changed.get("text").asText() + " Revised for the update.");
      edited.set(i, JSON.writeValueAsString(changed));
    }
    for (int i = 0; i < 5; i++) {
      ObjectNode added = (ObjectNode) JSON.readTree(lines.get(i));
      added.put("paper_id", "new-paper-" + i).put("paragraph_index", 0);
      edited.add(JSON.writeValueAsString(added));
    }
    update = dir.resolve("p300-updated.jsonl");
    Files.write(update, edited, StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("iceberg/db"));
    properties =
        List.of(
            "-Dspark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension,"
                + "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
            "-Dspark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
            "-Dspark.sql.catalog.ice=org.apache.iceberg.spark.SparkCatalog",
            "-Dspark.sql.catalog.ice.type=hadoop",
            "-Dspark.sql.catalog.ice.warehouse=" + dir.resolve("iceberg"),
            "-Dspark.sql.warehouse.dir=" + dir.resolve("warehouse"));
  }

  @Test
  void deltaTable() throws Exception {
    Path folder = dir.resolve("delta");
    scenario(
        "delta.`" + folder + "/emb_{model}`",
        "delta.`" + folder + "/resumed_{model}`",
        folder.resolve("emb_" + TABLE),
        folder.resolve("resumed_" + TABLE),
        CatalogTablesIT::deltaCommits);
  }

  @Test
  void icebergTable() throws Exception {
    Path folder = dir.resolve("iceberg/db");
    scenario(
        "ice.db.emb_{model}",
        "ice.db.resumed_{model}",
        folder.resolve("emb_" + TABLE),
        folder.resolve("resumed_" + TABLE),
        CatalogTablesIT::icebergSnapshots);
  }

  /** What each commit of a table did: its operation and metrics, oldest first. */
  interface History {
    List<Map<String, String>> of(Path table) throws IOException;
  }

  private void scenario(
      String pattern, String resumedPattern, Path table, Path resumedTable, History history)
      throws Exception {
    String name = pattern.replace("{model}", TABLE);
    String resumedName = resumedPattern.replace("{model}", TABLE);
    embed("write", List.of(), 0, corpus, pattern, "error");
    assertEquals(1, history.of(table).size(), () -> "history: " + history(history, table));

    embed(
        "killed",
        List.of("-Dsparkembed.crash-at=slice-committed:" + MODEL),
        137,
        corpus,
        resumedPattern,
        "error");
    String resumed = embed("resume", List.of(), 0, corpus, resumedPattern, "resume");
    assertTrue(resumed.contains("resuming with the slices"), resumed);
    assertEquals(1, history.of(resumedTable).size(), () -> history(history, resumedTable));

    embed("update", List.of(), 0, update, pattern, "update", "--delete-missing");
    List<Map<String, String>> commits = history.of(table);
    Map<String, String> merge = commits.get(1);
    // the 10 changed and 5 new rows written; the old copies of the 10 changed and the 5 removed
    // rows dropped: nothing else rewritten
    assertEquals("15", merge.get("rows written"), commits::toString);
    assertEquals("15", merge.get("rows dropped"), commits::toString);
    assertEquals(2, commits.size(), commits::toString);

    Map<String, float[]> updated = export(name, "updated");
    Map<String, float[]> resumedRows = export(resumedName, "resumed");
    assertEquals(keys(update), updated.keySet());
    assertEquals(keys(corpus), resumedRows.keySet());
    float largest = 0;
    int compared = 0;
    for (Map.Entry<String, float[]> row : resumedRows.entrySet()) {
      float[] after = updated.get(row.getKey());
      if (after == null || isChanged(row.getKey())) {
        continue;
      }
      compared++;
      for (int i = 0; i < after.length; i++) {
        largest = Math.max(largest, Math.abs(after[i] - row.getValue()[i]));
      }
    }
    assertEquals(285, compared);
    assertTrue(largest < 1e-5f, "largest difference " + largest);

    // an overwrite replaces the existing table in one commit
    embed("overwrite", List.of(), 0, update, resumedPattern, "overwrite");
    assertEquals(2, history.of(resumedTable).size(), () -> history(history, resumedTable));
    assertEquals(keys(update), export(resumedName, "overwritten").keySet());
  }

  private static String history(History history, Path table) {
    try {
      return history.of(table).toString();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The keys of the 10 paragraphs the update changed: the first 10 lines of the corpus. */
  private static boolean isChanged(String key) throws IOException {
    List<String> first = Files.readAllLines(corpus).subList(0, 10);
    for (String line : first) {
      JsonNode row = JSON.readTree(line);
      if (key.equals(row.get("paper_id").asText() + "#" + row.get("paragraph_index").asInt())) {
        return true;
      }
    }
    return false;
  }

  private static java.util.Set<String> keys(Path jsonl) throws IOException {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (String line : Files.readAllLines(jsonl)) {
      JsonNode row = JSON.readTree(line);
      keys.add(row.get("paper_id").asText() + "#" + row.get("paragraph_index").asInt());
    }
    return keys;
  }

  private String embed(
      String label,
      List<String> crash,
      int exit,
      Path input,
      String pattern,
      String mode,
      String... more)
      throws Exception {
    Path log = dir.resolve(label + "-" + Math.abs(pattern.hashCode()) + ".log");
    List<String> args =
        new ArrayList<>(
            List.of(
                "embed",
                "--input",
                input.toString(),
                "--output-table",
                pattern,
                "--mode",
                mode,
                "--slice-rows",
                "100"));
    args.addAll(List.of(more));
    List<String> jvm = new ArrayList<>(properties);
    jvm.addAll(crash);
    int code = LocalRun.run(log, jvm, args.toArray(String[]::new));
    assertEquals(exit, code, () -> StandaloneCluster.tail(log));
    return Files.readString(log);
  }

  /** The rows of a catalog table, by key, through {@code sparkembed export --catalog-table}. */
  private Map<String, float[]> export(String name, String label) throws Exception {
    Path out = dir.resolve("export-" + label + "-" + Math.abs(name.hashCode()));
    Path log = dir.resolve("export-" + label + "-" + Math.abs(name.hashCode()) + ".log");
    int code =
        LocalRun.run(
            log,
            properties,
            "export",
            "--catalog-table",
            name,
            "--format",
            "jsonl",
            "--output",
            out.toString());
    assertEquals(0, code, () -> StandaloneCluster.tail(log));
    Map<String, float[]> rows = new HashMap<>();
    for (String line : Files.readAllLines(out.resolve("embeddings.jsonl"))) {
      JsonNode row = JSON.readTree(line);
      float[] vector = new float[row.get("embedding").size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) row.get("embedding").get(i).asDouble();
      }
      String key = row.get("paper_id").asText() + "#" + row.get("paragraph_index").asInt();
      assertTrue(rows.put(key, vector) == null, "two rows of " + key);
    }
    return rows;
  }

  /**
   * Delta's commits, from the commit files of {@code _delta_log}: a MERGE writes the rows it
   * updates and inserts, and copies the unchanged rows of the files it rewrites.
   */
  private static List<Map<String, String>> deltaCommits(Path table) throws IOException {
    List<Path> files;
    try (Stream<Path> all = Files.list(table.resolve("_delta_log"))) {
      files =
          all.filter(f -> f.getFileName().toString().matches("\\d+\\.json"))
              .sorted(Comparator.comparing(Path::getFileName))
              .toList();
    }
    List<Map<String, String>> commits = new ArrayList<>();
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        JsonNode info = JSON.readTree(line).get("commitInfo");
        if (info == null) {
          continue;
        }
        JsonNode metrics = info.get("operationMetrics");
        Map<String, String> commit = new HashMap<>();
        commit.put("operation", info.get("operation").asText());
        if (info.get("operation").asText().equals("MERGE")) {
          commit.put(
              "rows written",
              Long.toString(
                  metrics.get("numTargetRowsUpdated").asLong()
                      + metrics.get("numTargetRowsInserted").asLong()
                      + metrics.get("numTargetRowsCopied").asLong()));
          commit.put(
              "rows dropped",
              Long.toString(
                  metrics.get("numTargetRowsUpdated").asLong()
                      + metrics.get("numTargetRowsDeleted").asLong()));
        }
        commits.add(commit);
      }
    }
    return commits;
  }

  /**
   * Iceberg's snapshots, from the newest metadata file's summaries: a merge-on-read MERGE adds the
   * rows it writes and a position delete for each row it drops.
   */
  private static List<Map<String, String>> icebergSnapshots(Path table) throws IOException {
    Path metadata;
    try (Stream<Path> all = Files.list(table.resolve("metadata"))) {
      metadata =
          all.filter(f -> f.getFileName().toString().matches("v\\d+\\.metadata\\.json"))
              .max(
                  Comparator.comparingInt(
                      f -> Integer.parseInt(f.getFileName().toString().replaceAll("\\D", ""))))
              .orElseThrow();
    }
    List<Map<String, String>> snapshots = new ArrayList<>();
    for (JsonNode snapshot : JSON.readTree(metadata.toFile()).get("snapshots")) {
      JsonNode summary = snapshot.get("summary");
      Map<String, String> commit = new HashMap<>();
      commit.put("operation", summary.get("operation").asText());
      commit.put("rows written", summary.path("added-records").asText("0"));
      commit.put("rows dropped", summary.path("added-position-deletes").asText("0"));
      snapshots.add(commit);
    }
    return snapshots;
  }
}
