package dev.sparkembed.jobs.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.jobs.embed.EmbedJob;
import dev.sparkembed.jobs.embed.EmbedJobOptions;
import dev.sparkembed.jobs.embed.OutputMode;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports of a real table, read back by NumPy and by a JSON parser, row for row. */
class TableExportTest {

  private static final String MODEL = "all-minilm-l6-v2";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path table;
  private static Map<String, float[]> vectors;

  @BeforeAll
  static void embed() {
    SparkSession spark = SparkTestSession.get();
    Path output = dir.resolve("out");
    new EmbedJob(
            spark,
            new EmbedJobOptions(
                CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
                output.toString(),
                OutputMode.ERROR,
                List.of(ModelRegistry.builtIn().get(MODEL)),
                BatchSettings.DEFAULT,
                LongText.TRUNCATE,
                0,
                false),
            new PrintStream(new ByteArrayOutputStream()))
        .run();
    table = output.resolve(MODEL);
    vectors = new HashMap<>();
    for (Row row : spark.read().parquet(table.toString()).collectAsList()) {
      List<Float> values = row.getList(row.fieldIndex("embedding"));
      float[] v = new float[values.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = values.get(i);
      }
      vectors.put(row.getAs("paper_id") + "/" + row.getAs("paragraph_index"), v);
    }
  }

  private static int export(String format, Path output, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "export",
                "--table",
                table.toString(),
                "--format",
                format,
                "--output",
                output.toString()));
    args.addAll(List.of(more));
    return SparkEmbed.run(
        new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()),
        args.toArray(String[]::new));
  }

  @Test
  void npyIsAFloat32MatrixInKeyOrderThatNumPyLoads() throws Exception {
    assumeTrue(
        new ProcessBuilder("/usr/bin/python3", "-c", "import numpy").start().waitFor() == 0,
        "needs Debian's python3-numpy (.ci/run installs it)");
    Path output = dir.resolve("npy");
    assertEquals(0, export("npy", output));

    Process python =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import json, sys, numpy as np\n"
                    + "m = np.load(sys.argv[1])\n"
                    + "print(json.dumps({'dtype': str(m.dtype), 'shape': list(m.shape),"
                    + " 'c': bool(m.flags['C_CONTIGUOUS']), 'rows': m.tolist()}))",
                output.resolve("embeddings.npy").toString())
            .redirectErrorStream(true)
            .start();
    String printed = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, python.waitFor(), printed);
    JsonNode loaded = JSON.readTree(printed);
    assertEquals("float32", loaded.get("dtype").asText());
    assertEquals(
        List.of(32, 384),
        List.of(loaded.get("shape").get(0).asInt(), loaded.get("shape").get(1).asInt()));

    List<String> keys = Files.readAllLines(output.resolve("keys.jsonl"));
    assertEquals(32, keys.size());
    List<String> inOrder = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      JsonNode key = JSON.readTree(keys.get(i));
      String name = key.get("paper_id").asText() + "/" + key.get("paragraph_index").asInt();
      inOrder.add(name);
      float[] row = new float[384];
      for (int j = 0; j < 384; j++) {
        row[j] = (float) loaded.get("rows").get(i).get(j).asDouble();
      }
      assertArrayEquals(vectors.get(name), row, 0f, name);
    }
    List<String> sorted = new ArrayList<>(inOrder);
    sorted.sort(
        java.util.Comparator.comparing((String k) -> k.substring(0, k.indexOf('/')))
            .thenComparingInt(k -> Integer.parseInt(k.substring(k.indexOf('/') + 1))));
    assertEquals(sorted, inOrder, "key order");

    JsonNode metadata = JSON.readTree(output.resolve("metadata.json").toFile());
    assertEquals(MODEL, metadata.get("model").asText());
    assertEquals(384, metadata.get("dimension").asInt());
    assertEquals(32, metadata.get("rows").asLong());
    assertEquals(16, metadata.get("batch_size").asInt());
    assertTrue(metadata.get("seconds").asDouble() > 0);
    try (var files = Files.list(output)) {
      assertEquals(
          List.of("embeddings.npy", "keys.jsonl", "metadata.json"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no part files or half-written files left");
    }
  }

  @Test
  void jsonLinesHaveOneRowPerLineWithTheModelsName() throws Exception {
    Path output = dir.resolve("jsonl");
    assertEquals(0, export("jsonl", output));
    List<String> lines = Files.readAllLines(output.resolve("embeddings.jsonl"));
    assertEquals(32, lines.size());
    String previous = null;
    for (String line : lines) {
      JsonNode row = JSON.readTree(line);
      assertEquals(MODEL, row.get("model").asText());
      String name = row.get("paper_id").asText() + "/" + row.get("paragraph_index").asInt();
      float[] v = new float[row.get("embedding").size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = row.get("embedding").get(j).floatValue();
      }
      assertArrayEquals(vectors.get(name), v, 0f, name);
      assertTrue(previous == null || previous.compareTo(row.get("paper_id").asText()) <= 0);
      previous = row.get("paper_id").asText();
    }
    assertEquals(32, JSON.readTree(output.resolve("metadata.json").toFile()).get("rows").asInt());
  }

  @Test
  void aFolderThatIsNotATableOrAnOutputInUseIsOneLine() throws Exception {
    StringWriter err = new StringWriter();
    int code =
        SparkEmbed.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true),
            "export",
            "--table",
            dir.toString(),
            "--format",
            "npy",
            "--output",
            dir.resolve("x").toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("it has no _manifest.json"), err.toString());

    Path used = dir.resolve("used");
    Files.createDirectories(used);
    Files.writeString(used.resolve("keep.txt"), "mine");
    assertEquals(2, export("jsonl", used));
    assertTrue(Files.exists(used.resolve("keep.txt")));
    assertEquals(0, export("jsonl", used, "--overwrite"));
  }
}
