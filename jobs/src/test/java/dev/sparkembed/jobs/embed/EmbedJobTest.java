package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.jobs.corpus.InputFormat;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding job on real Spark, the real model and real files. */
class EmbedJobTest {

  private static final ModelSpec MINILM = ModelRegistry.builtIn().get("all-minilm-l6-v2");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
  }

  private EmbedResult run(CorpusSource source, Path output, OutputMode mode) {
    return run(source, output, mode, List.of(MINILM));
  }

  private EmbedResult run(
      CorpusSource source, Path output, OutputMode mode, List<ModelSpec> models) {
    return run(source, output, mode, models, false);
  }

  private EmbedResult run(
      CorpusSource source,
      Path output,
      OutputMode mode,
      List<ModelSpec> models,
      boolean deleteMissing) {
    EmbedJobOptions options =
        new EmbedJobOptions(
            source,
            output.toString(),
            mode,
            models,
            BatchSettings.DEFAULT,
            LongText.TRUNCATE,
            0,
            deleteMissing);
    return new EmbedJob(spark, options, new PrintStream(new ByteArrayOutputStream()), 200).run();
  }

  /** The table's Parquet footers have the columns {@link EmbeddingTable#PARQUET_OPTIONS} name. */
  private static void assertParquetOptionsNameItsColumns(Path table) throws IOException {
    List<Path> parts;
    try (Stream<Path> files = Files.list(table)) {
      parts = files.filter(f -> f.toString().endsWith(".parquet")).toList();
    }
    assertFalse(parts.isEmpty());
    Map<String, Set<Encoding>> encodings = new HashMap<>();
    for (Path part : parts) {
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(part.toUri()), new Configuration()))) {
        for (BlockMetaData block : reader.getFooter().getBlocks()) {
          for (ColumnChunkMetaData column : block.getColumns()) {
            encodings
                .computeIfAbsent(column.getPath().toDotString(), k -> new HashSet<>())
                .addAll(column.getEncodings());
          }
        }
      }
    }
    for (String option : EmbeddingTable.PARQUET_OPTIONS.keySet()) {
      String column = option.substring(option.indexOf('#') + 1);
      assertTrue(
          encodings.containsKey(column),
          option
              + " must name a column the table has, else Parquet ignores it: "
              + encodings.keySet());
    }
    Set<Encoding> vectors = encodings.get("embedding.list.element");
    assertTrue(vectors.stream().noneMatch(Encoding::usesDictionary), vectors.toString());
  }

  private static Map<String, float[]> vectors(Dataset<Row> table) {
    Map<String, float[]> out = new HashMap<>();
    for (Row row : table.collectAsList()) {
      List<Float> values = row.getList(row.fieldIndex("embedding"));
      float[] v = new float[values.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = values.get(i);
      }
      out.put(row.getAs("paper_id") + "/" + row.getAs("paragraph_index"), v);
    }
    return out;
  }

  @Test
  void embedsTheSampleCorpusIntoATableWithAManifest() throws IOException {
    Path output = dir.resolve("out");
    EmbedResult result =
        run(
            CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
            output,
            OutputMode.ERROR);
    assertTrue(result.succeeded(), () -> result.models().toString());

    assertParquetOptionsNameItsColumns(output.resolve("all-minilm-l6-v2"));
    Dataset<Row> table = spark.read().parquet(output.resolve("all-minilm-l6-v2").toString());
    assertEquals(32, table.count());
    assertEquals(32, table.select("paper_id", "paragraph_index").distinct().count());
    Map<String, float[]> vectors = vectors(table);
    for (float[] v : vectors.values()) {
      assertEquals(384, v.length);
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }

    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<String> texts = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(TestData.examples("paragraphs.jsonl")).subList(0, 3)) {
      texts.add(json.readTree(line).get("text").asText());
    }
    float[][] direct =
        WindowedEmbedder.embedAll(ModelCache.get(MINILM, 1), new BatchSettings(1, 1024, 1), texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] fromSpark = vectors.get("sample-0001/" + i);
      for (int c = 0; c < 384; c++) {
        assertEquals(direct[i][c], fromSpark[c], 1e-5, "row " + i + " component " + c);
      }
    }

    Manifest manifest =
        Manifest.fromJson(
            Files.readAllBytes(output.resolve("all-minilm-l6-v2").resolve("_manifest.json")));
    Row sums =
        table
            .selectExpr(
                "sum(least(token_count, 256))", "sum(cast(truncated as int))", "max(token_count)")
            .first();
    assertEquals(32, manifest.rows());
    assertEquals(sums.getLong(0), manifest.tokens());
    assertEquals(sums.getLong(1), manifest.rowsTruncated());
    assertEquals(1, manifest.rowsTruncated(), "the sample's one long paragraph");
    assertTrue(sums.getInt(2) > 256);
    assertEquals(MINILM.fingerprint(), manifest.fingerprint());
    assertEquals(384, manifest.dimension());
    assertEquals("mean", manifest.pooling());
    assertEquals(256, manifest.maxLength());
    assertEquals(32, manifest.input().rowsRead());
    assertEquals("jsonl", manifest.input().format());
    assertTrue(manifest.seconds() > 0 && manifest.tokensPerS() > 0);
    assertEquals(spark.version(), manifest.versions().spark());
    assertEquals(
        OrtEnvironment.class.getPackage().getImplementationVersion(),
        manifest.versions().onnxruntime(),
        "the ONNX Runtime that ran: the onnxruntime jar on the classpath, not DJL's build number");
    assertEquals(0, spark.read().parquet(output.resolve("_rejected").toString()).count());
    assertTrue(Files.notExists(output.resolve("_staging")), "staging is cleaned after commit");
  }

  @Test
  void rejectsEveryKindOfBadRowWithAReasonAndLosesNothing() throws IOException {
    String good = "A perfectly ordinary paragraph about coral reefs and warm water.";
    List<String> lines =
        List.of(
            row("p1", "0", good),
            row("p1", "1", "Another good paragraph, on batteries."),
            row("p1", "2", "A third good one."),
            row("p2", "0", null),
            row("p2", "1", "\"\""),
            row("p2", "2", "\" \\t\\n \\u00a0 \""),
            row(null, "3", good),
            row("\"\"", "4", good),
            row("p2", null, good),
            row("p2", "-1", good),
            row("p2", "\"abc\"", good),
            row("p2", "1.5", good),
            row("p2", "3000000000", good),
            row("p3", "0", "Same key, same text."),
            row("p3", "0", "Same key, same text."),
            row("p4", "0", "Same key, one text."),
            row("p4", "0", "Same key, another text."),
            "{\"paper_id\": \"p5\", \"paragraph_index\": 0, \"text\": \"unterminated");
    Path input = dir.resolve("bad.jsonl");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path output = dir.resolve("out");

    EmbedResult result = run(CorpusSource.of(input.toString()), output, OutputMode.ERROR);
    assertTrue(result.succeeded());

    Dataset<Row> table = spark.read().parquet(output.resolve("all-minilm-l6-v2").toString());
    Dataset<Row> rejected = spark.read().parquet(output.resolve("_rejected").toString());
    List<String> keys =
        table.orderBy("paper_id", "paragraph_index").collectAsList().stream()
            .map(r -> r.getString(0) + "/" + r.getInt(1))
            .toList();
    assertEquals(List.of("p1/0", "p1/1", "p1/2", "p3/0"), keys);
    assertEquals(
        lines.size(), table.count() + rejected.count() + result.counts().identicalDuplicates());
    assertEquals(1, result.counts().identicalDuplicates());
    assertEquals(lines.size(), result.counts().rowsRead());

    List<String> reasons =
        rejected.select(col("reason")).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    for (String expected :
        List.of(
            "text is null",
            "text is empty or only whitespace",
            "paper_id is null",
            "paper_id is empty",
            "paragraph_index is null",
            "paragraph_index is negative: -1",
            "paragraph_index is not an integer: abc",
            "paragraph_index is not an integer: 1.5",
            "paragraph_index does not fit in a 32-bit integer: 3000000000",
            "duplicate key (paper_id, paragraph_index) with different text",
            "malformed record: ")) {
      assertTrue(
          reasons.stream().anyMatch(r -> r.startsWith(expected)),
          () -> "no rejection '" + expected + "' among " + reasons);
    }
    assertEquals(13, reasons.size(), reasons::toString);
  }

  private static String row(String paperId, String index, String text) {
    StringBuilder json = new StringBuilder("{");
    json.append("\"paper_id\": ").append(paperId == null ? "null" : quoteIfBare(paperId));
    json.append(", \"paragraph_index\": ").append(index == null ? "null" : index);
    json.append(", \"text\": ").append(text == null ? "null" : quoteIfBare(text));
    return json.append("}").toString();
  }

  private static String quoteIfBare(String value) {
    return value.startsWith("\"") ? value : "\"" + value + "\"";
  }

  @Test
  void withChunksTheManifestCountsEveryTokenTheModelSaw() throws IOException {
    String longText = String.join(" ", java.util.Collections.nCopies(4, longestExampleText()));
    String shortText = "A short paragraph about sparse attention.";
    Path input = dir.resolve("long.jsonl");
    Files.writeString(
        input,
        String.format(
            "{\"paper_id\":\"p\",\"paragraph_index\":0,\"text\":%s}%n"
                + "{\"paper_id\":\"p\",\"paragraph_index\":1,\"text\":%s}%n",
            JSON.writeValueAsString(longText), JSON.writeValueAsString(shortText)));
    int overlap = 32;
    Path output = dir.resolve("chunked");
    EmbedResult result =
        new EmbedJob(
                spark,
                new EmbedJobOptions(
                    CorpusSource.of(input.toString()),
                    output.toString(),
                    OutputMode.ERROR,
                    List.of(MINILM),
                    BatchSettings.DEFAULT,
                    LongText.chunked(overlap),
                    0,
                    false),
                new PrintStream(new ByteArrayOutputStream()))
            .run();
    assertTrue(result.succeeded(), () -> result.models().toString());

    var tokenizer = ModelCache.get(MINILM, 1).tokenizer();
    List<dev.sparkembed.udfs.text.TokenizedText> windows = tokenizer.chunks(longText, overlap);
    assertTrue(windows.size() >= 4, "the long paragraph takes several windows: " + windows.size());
    long seen = tokenizer.tokenize(shortText).length();
    for (var window : windows) {
      seen += window.length();
    }
    Manifest manifest =
        Manifest.fromJson(
            Files.readAllBytes(output.resolve("all-minilm-l6-v2").resolve("_manifest.json")));
    assertEquals(seen, manifest.tokens(), "every window's tokens, overlap and special tokens too");
    assertEquals(0, manifest.rowsTruncated());
  }

  private static String longestExampleText() throws IOException {
    String longest = "";
    for (String line : Files.readAllLines(TestData.examples("paragraphs.jsonl"))) {
      String text = JSON.readTree(line).get("text").asText();
      longest = text.length() > longest.length() ? text : longest;
    }
    return longest;
  }

  @Test
  void aMissingColumnNamesItAndListsTheColumnsFound() throws IOException {
    Path input = dir.resolve("wrong.jsonl");
    Files.writeString(input, "{\"paper_id\": \"p\", \"paragraph_index\": 0, \"body\": \"x\"}\n");
    UserError e =
        assertThrows(
            UserError.class,
            () -> run(CorpusSource.of(input.toString()), dir.resolve("out"), OutputMode.ERROR));
    assertEquals(
        "Input "
            + input
            + " has no column 'text' (set --text-column); columns found: body, paper_id,"
            + " paragraph_index",
        e.getMessage());
    assertTrue(Files.notExists(dir.resolve("out")), "nothing is written");
  }

  @Test
  void aMissingInputStopsBeforeAnyWork() {
    Path input = dir.resolve("nope.jsonl");
    UserError e =
        assertThrows(
            UserError.class,
            () -> run(CorpusSource.of(input.toString()), dir.resolve("out"), OutputMode.ERROR));
    assertTrue(e.getMessage().startsWith("Cannot read --input " + input + ": no such file"));
  }

  @Test
  void severalModelsInOneRunEachWriteATableWithItsOwnConventions() throws IOException {
    ModelRegistry registry = ModelRegistry.builtIn();
    List<ModelSpec> models =
        List.of(registry.get("bge-small-en-v1.5-q"), registry.get("e5-small-v2-q"));
    Path output = dir.resolve("out");
    EmbedResult result =
        run(
            CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
            output,
            OutputMode.ERROR,
            models);

    assertTrue(result.succeeded());
    for (String name : List.of("bge-small-en-v1.5-q", "e5-small-v2-q")) {
      assertEquals(32, spark.read().parquet(output.resolve(name).toString()).count(), name);
    }
    Manifest e5 =
        Manifest.fromJson(Files.readAllBytes(output.resolve("e5-small-v2-q/_manifest.json")));
    assertEquals("passage: ", e5.passagePrefix());
    assertEquals(512, e5.maxLength());
    Manifest bge =
        Manifest.fromJson(Files.readAllBytes(output.resolve("bge-small-en-v1.5-q/_manifest.json")));
    assertEquals("cls", bge.pooling());
  }

  @Test
  void aMaxLengthBeyondWhatTheModelTakesStopsBeforeAnyWork() {
    // MiniLM has position embeddings for 512 tokens
    ModelSpec tooLong = ModelRegistry.builtIn().get("all-minilm-l6-v2-q").withMaxLength(9999);
    UserError e =
        assertThrows(
            UserError.class,
            () ->
                run(
                    CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
                    dir.resolve("out"),
                    OutputMode.ERROR,
                    List.of(tooLong)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "Model all-minilm-l6-v2-q cannot embed a text of its max length, 9,999 tokens:"),
        e.getMessage());
    assertTrue(e.getMessage().contains("set max_length"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("out")), "nothing is written");
  }

  @Test
  void aDimensionWiderThanTheModelStopsBeforeAnyWork() {
    ModelSpec tooWide = ModelRegistry.builtIn().get("all-minilm-l6-v2-q").withDimension(1000);
    UserError e = refusedBeforeAnyWork(tooWide);
    assertTrue(
        e.getMessage().contains("Cannot set models.all-minilm-l6-v2-q.dimension to 1000"),
        e.getMessage());
  }

  /** Runs the examples with {@code model}, which must stop the run before anything is written. */
  private UserError refusedBeforeAnyWork(ModelSpec model) {
    UserError e =
        assertThrows(
            UserError.class,
            () ->
                run(
                    CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
                    dir.resolve("out"),
                    OutputMode.ERROR,
                    List.of(model)));
    assertTrue(Files.notExists(dir.resolve("out")), "nothing is written");
    return e;
  }

  @Test
  void aModelFolderWithATruncatedModelFileIsRefusedBeforeAnyWorkNamingTheFile() throws IOException {
    Path folder = dir.resolve("broken-model");
    Files.createDirectories(folder);
    byte[] weights = Files.readAllBytes(ModelStore.localCopy(MINILM.runtime().files().model()));
    Files.write(folder.resolve("model.onnx"), java.util.Arrays.copyOf(weights, 4096));
    Files.copy(
        ModelStore.localCopy(MINILM.runtime().files().tokenizer()),
        folder.resolve("tokenizer.json"));
    Files.createDirectories(folder.resolve("1_Pooling"));
    Files.writeString(
        folder.resolve("1_Pooling/config.json"), "{\"pooling_mode_mean_tokens\": true}");
    Files.writeString(
        folder.resolve("config.json"), "{\"hidden_size\": 384, \"max_position_embeddings\": 512}");
    UserError e = refusedBeforeAnyWork(ModelRegistry.builtIn().get(folder.toString()));
    assertTrue(e.getMessage().contains(folder.resolve("model.onnx").toString()), e.getMessage());
  }

  @Test
  void updateEmbedsOnlyNewAndChangedParagraphsAndDropsMissingOnes() throws IOException {
    List<String> lines = Files.readAllLines(TestData.examples("paragraphs.jsonl"));
    Path first = dir.resolve("v1.jsonl");
    Files.write(first, lines);
    Path output = dir.resolve("out");
    run(CorpusSource.of(first.toString()), output, OutputMode.ERROR);
    Map<String, float[]> before =
        vectors(spark.read().parquet(output.resolve("all-minilm-l6-v2").toString()));

    List<String> edited = new java.util.ArrayList<>();
    for (String line : lines) {
      if (line.contains("\"paper_id\": \"sample-0002\", \"paragraph_index\": 8,")
          || line.contains("\"paper_id\": \"sample-0002\", \"paragraph_index\": 9,")) {
        continue;
      }
      if (line.matches(".*\"paper_id\": \"sample-0001\", \"paragraph_index\": [012],.*")) {
        line = line.replace("\", \"title\"", " Revised.\", \"title\"");
      }
      edited.add(line);
    }
    edited.add(row("sample-0004", "0", "A new paper's abstract about glaciers."));
    edited.add(row("sample-0004", "1", "Glaciers retreat as summers warm."));
    Path second = dir.resolve("v2.jsonl");
    Files.write(second, edited);

    EmbedResult update =
        run(CorpusSource.of(second.toString()), output, OutputMode.UPDATE, List.of(MINILM), true);
    IncrementalPlan.Changes changes = update.models().get(0).manifest().changes();
    assertEquals(new IncrementalPlan.Changes(2, 3, 27, 0, 2, 0, true), changes);
    Dataset<Row> table = spark.read().parquet(output.resolve("all-minilm-l6-v2").toString());
    Map<String, float[]> after = vectors(table);
    assertEquals(32, after.size());
    assertTrue(after.containsKey("sample-0004/1") && !after.containsKey("sample-0002/9"));
    for (String key : after.keySet()) {
      boolean edited3 = key.startsWith("sample-0001/") && key.compareTo("sample-0001/3") < 0;
      if (before.containsKey(key) && !edited3) {
        assertTrue(java.util.Arrays.equals(before.get(key), after.get(key)), key + " was kept");
      }
      if (edited3) {
        assertTrue(
            !java.util.Arrays.equals(before.get(key), after.get(key)), key + " was re-embedded");
      }
    }

    EmbedResult again =
        run(CorpusSource.of(second.toString()), output, OutputMode.UPDATE, List.of(MINILM), true);
    assertEquals(
        new IncrementalPlan.Changes(0, 0, 32, 0, 0, 0, true),
        again.models().get(0).manifest().changes());
  }

  @Test
  void aKeyWhoseNewRowIsRejectedLeavesTheTableAndTheCountsAddUp() throws IOException {
    List<String> lines = Files.readAllLines(TestData.examples("paragraphs.jsonl"));
    Path first = dir.resolve("v1.jsonl");
    Files.write(first, lines);
    Path output = dir.resolve("out");
    run(CorpusSource.of(first.toString()), output, OutputMode.ERROR);

    List<String> edited = new java.util.ArrayList<>();
    for (String line : lines) {
      if (line.contains("\"paper_id\": \"sample-0002\", \"paragraph_index\": 9,")) {
        continue; // gone from the input: kept without --delete-missing
      }
      if (line.contains("\"paper_id\": \"sample-0001\", \"paragraph_index\": 0,")) {
        line = row("sample-0001", "0", "\"   \""); // now rejected: its old vector is stale
      }
      edited.add(line);
    }
    edited.add(row("sample-0004", "0", "A new paper's abstract about glaciers."));
    Path second = dir.resolve("v2.jsonl");
    Files.write(second, edited);

    EmbedResult update =
        run(CorpusSource.of(second.toString()), output, OutputMode.UPDATE, List.of(MINILM), false);
    Manifest manifest = update.models().get(0).manifest();
    assertEquals(new IncrementalPlan.Changes(1, 0, 30, 1, 0, 1, true), manifest.changes());
    Map<String, float[]> table =
        vectors(spark.read().parquet(output.resolve("all-minilm-l6-v2").toString()));
    assertEquals(32, table.size());
    assertEquals(32, manifest.rows());
    assertTrue(!table.containsKey("sample-0001/0"), "the rejected key's old row is gone");
    assertTrue(table.containsKey("sample-0002/9"), "the missing key's row is kept");
    IncrementalPlan.Changes c = manifest.changes();
    assertEquals(manifest.rows(), c.added() + c.changed() + c.unchanged() + c.kept());
  }

  @Test
  void aTruncatedParquetFileIsOneClearLineNamingTheInput() throws IOException {
    Path input = dir.resolve("corpus.parquet");
    spark
        .read()
        .json(TestData.examples("paragraphs.jsonl").toString())
        .coalesce(1)
        .write()
        .parquet(input.toString());
    try (var parts = Files.list(input)) {
      Path part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(part);
      Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    }
    UserError e =
        assertThrows(
            UserError.class,
            () -> run(CorpusSource.of(input.toString()), dir.resolve("out"), OutputMode.ERROR));
    assertTrue(e.getMessage().startsWith("Cannot read --input " + input), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("out/all-minilm-l6-v2")), "no table is written");
  }

  @Test
  void anExistingOutputNeedsOverwrite() throws IOException {
    Path output = dir.resolve("out");
    Files.createDirectories(output.resolve("all-minilm-l6-v2"));
    Files.writeString(output.resolve("all-minilm-l6-v2").resolve("old.txt"), "old");
    CorpusSource source = CorpusSource.of(TestData.examples("paragraphs.jsonl").toString());
    UserError e = assertThrows(UserError.class, () -> run(source, output, OutputMode.ERROR));
    assertTrue(e.getMessage().contains("pass --mode overwrite"), e.getMessage());

    assertTrue(run(source, output, OutputMode.OVERWRITE).succeeded());
    assertTrue(Files.notExists(output.resolve("all-minilm-l6-v2").resolve("old.txt")));
    assertEquals(32, spark.read().parquet(output.resolve("all-minilm-l6-v2").toString()).count());
  }

  @Test
  void readsCsvWithOtherColumnNames() throws IOException {
    Path input = dir.resolve("corpus.csv");
    Files.writeString(
        input,
        "doc,para,body\n"
            + "d1,0,\"A paragraph, with a comma.\"\n"
            + "d1,1,\"A paragraph with\na newline and \"\"quotes\"\".\"\n"
            + "d2,x,not an index\n");
    CorpusSource source =
        new CorpusSource(input.toString(), InputFormat.AUTO, "doc", "para", "body");
    EmbedResult result = run(source, dir.resolve("out"), OutputMode.ERROR);
    assertEquals(3, result.counts().rowsRead());
    assertEquals(2, result.counts().validRows());
    assertEquals(1, result.counts().rejectedRows());
  }
}
