package dev.sparkembed.jobs.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.udfs.TestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sparkembed search over a table the embed command made, on real Spark and a real model. */
class SearchCommandTest {

  @TempDir static Path dir;
  private static Path table;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void embed() {
    SparkTestSession.get();
    String corpus = TestData.examples("paragraphs.jsonl").toString();
    assertEquals(
        0,
        SparkEmbed.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()),
            "embed",
            "--input",
            corpus,
            "--output",
            dir.resolve("out").toString(),
            "--models",
            "all-minilm-l6-v2"));
    table = dir.resolve("out").resolve("all-minilm-l6-v2");
  }

  private record Run(int code, String out, String err) {}

  private static Run search(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("search", "--table", table.toString()));
    all.addAll(List.of(args));
    int code =
        SparkEmbed.run(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(new String[0]));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void aParagraphsOwnTextFindsThatParagraphFirst() throws IOException {
    List<String> lines = Files.readAllLines(TestData.examples("paragraphs.jsonl"));
    JsonNode chosen = JSON.readTree(lines.get(7));
    JsonNode other = JSON.readTree(lines.get(20));
    Path queries = dir.resolve("queries.txt");
    Files.writeString(queries, chosen.get("text").asText() + "\n\n" + other.get("text").asText());
    Path hits = dir.resolve("hits.jsonl");
    Run run =
        search(
            "--queries",
            queries.toString(),
            "--top-k",
            "3",
            "--corpus",
            TestData.examples("paragraphs.jsonl").toString(),
            "--output",
            hits.toString());
    assertEquals(0, run.code(), run.err());

    List<JsonNode> found = new ArrayList<>();
    for (String line : Files.readAllLines(hits)) {
      found.add(JSON.readTree(line));
    }
    assertEquals(6, found.size(), found.toString());
    for (int q = 0; q < 2; q++) {
      JsonNode expected = q == 0 ? chosen : other;
      JsonNode first = found.get(3 * q);
      assertEquals(1, first.get("rank").asInt());
      assertEquals(expected.get("paper_id").asText(), first.get("paper_id").asText());
      assertEquals(expected.get("paragraph_index").asInt(), first.get("paragraph_index").asInt());
      assertEquals(expected.get("text").asText(), first.get("text").asText());
      assertEquals(1.0, first.get("cosine").asDouble(), 1e-4);
      assertTrue(found.get(3 * q + 1).get("cosine").asDouble() < 0.99);
      assertEquals("all-minilm-l6-v2", first.get("model").asText());
    }
    assertTrue(run.out().contains(" 1. 1.0000  " + chosen.get("paper_id").asText()), run.out());
  }

  @Test
  void aModelWithAnotherFingerprintIsRefused() {
    Run run = search("--query", "graph neural networks", "--model", "bge-small-en-v1.5");
    assertEquals(SparkEmbed.USAGE_ERROR, run.code());
    assertTrue(run.err().contains("fingerprint"), run.err());
  }

  @Test
  void aFolderWithoutAManifestOrNoQueryIsAClearError() {
    Run noQuery = search("--top-k", "3");
    assertEquals(SparkEmbed.USAGE_ERROR, noQuery.code());
    assertTrue(noQuery.err().contains("No queries"), noQuery.err());
    StringWriter err = new StringWriter();
    int code =
        SparkEmbed.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true),
            "search",
            "--table",
            dir.toString(),
            "--query",
            "x");
    assertEquals(SparkEmbed.USAGE_ERROR, code);
    assertTrue(err.toString().contains("no _manifest.json"), err.toString());
  }
}
