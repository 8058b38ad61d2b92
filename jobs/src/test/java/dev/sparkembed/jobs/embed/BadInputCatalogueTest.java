package dev.sparkembed.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad rows and files users meet: each is a rejected row with a reason or one clear error. */
class BadInputCatalogueTest {

  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
  }

  private EmbedResult run(Path input) {
    return run(
        CorpusSource.of(input.toString()),
        dir.resolve("out"),
        OutputMode.ERROR,
        LongText.TRUNCATE,
        0);
  }

  private EmbedResult run(
      CorpusSource source, Path output, OutputMode mode, LongText longText, int partitions) {
    return run(source, output, mode, longText, partitions, "all-minilm-l6-v2-q");
  }

  private EmbedResult run(
      CorpusSource source,
      Path output,
      OutputMode mode,
      LongText longText,
      int partitions,
      String model) {
    return new EmbedJob(
            spark,
            new EmbedJobOptions(
                source,
                output.toString(),
                mode,
                List.of(ModelRegistry.builtIn().get(model)),
                BatchSettings.DEFAULT,
                longText,
                partitions,
                false),
            new PrintStream(new ByteArrayOutputStream()),
            60_000)
        .run();
  }

  private CorpusSource examples() {
    return CorpusSource.of(TestData.examples("paragraphs.jsonl").toString());
  }

  private Dataset<Row> table() {
    return spark.read().parquet(dir.resolve("out/all-minilm-l6-v2-q").toString());
  }

  private List<String> reasons() {
    return spark
        .read()
        .parquet(dir.resolve("out/_rejected").toString())
        .select("reason")
        .as(Encoders.STRING())
        .collectAsList();
  }

  @Test
  void oddTextIsEmbeddedOrRejectedWithAReasonAndNothingIsLost() throws IOException {
    byte[] invalidUtf8 =
        "{\"paper_id\": \"u\", \"paragraph_index\": 0, \"text\": \"caf\u00e9 \"}\n"
            .getBytes(StandardCharsets.UTF_8);
    invalidUtf8[invalidUtf8.length - 4] = (byte) 0xC3; // a lead byte with no continuation
    String hugeText = "word ".repeat(100_000);
    String lines =
        "{\"paper_id\": \"big\", \"paragraph_index\": 0, \"text\": \""
            + hugeText
            + "\"}\n"
            + "{\"paper_id\": \"ctl\", \"paragraph_index\": 0, \"text\": \"\\u0001\\u0002\\u0007\"}\n"
            + "{\"paper_id\": \"ctl\", \"paragraph_index\": 1, \"text\": \"bell\\u0007 inside a"
            + " sentence\"}\n"
            + "{\"paper_id\": \""
            + "x".repeat(2000)
            + "\", \"paragraph_index\": 0, \"text\": \"fine\"}\n";
    Path input = dir.resolve("odd.jsonl");
    Files.write(input, invalidUtf8);
    Files.writeString(input, lines, java.nio.file.StandardOpenOption.APPEND);

    EmbedResult result = run(input);
    assertEquals(5, result.counts().rowsRead());
    assertEquals(
        2,
        table().count(),
        () ->
            "a 100,000-word text, a control character inside a sentence; table: "
                + table().select("paper_id", "paragraph_index").collectAsList()
                + " rejected: "
                + reasons());
    Row big = table().where("paper_id = 'big'").first();
    assertTrue(big.<Boolean>getAs("truncated"));
    assertTrue(big.<Integer>getAs("token_count") >= 100_000);
    List<String> reasons = reasons();
    assertEquals(3, reasons.size(), reasons::toString);
    assertTrue(
        reasons.stream().anyMatch(r -> r.startsWith("malformed record: {\"paper_id\": \"u\"")),
        () ->
            "invalid UTF-8 fails Spark's JSON parser: a rejected row naming the line, " + reasons);
    assertTrue(reasons.contains("text is empty or only whitespace"), reasons::toString);
    assertTrue(
        reasons.stream().anyMatch(r -> r.startsWith("paper_id is longer than 1024 characters")),
        reasons::toString);
  }

  @Test
  void parquetWithAStringIndexCastsWhatItCanAndRejectsTheRest() {
    Path input = dir.resolve("typed.parquet");
    spark
        .createDataFrame(
            List.of(
                org.apache.spark.sql.RowFactory.create("p", "7", "seven"),
                org.apache.spark.sql.RowFactory.create("p", " 8 ", "eight"),
                org.apache.spark.sql.RowFactory.create("p", "nine", "nine")),
            new org.apache.spark.sql.types.StructType()
                .add("paper_id", "string")
                .add("paragraph_index", "string")
                .add("text", "string"))
        .write()
        .parquet(input.toString());
    EmbedResult result = run(input);
    assertEquals(2, result.counts().validRows());
    assertEquals(List.of("paragraph_index is not an integer: nine"), reasons());
  }

  @Test
  void extraColumnsAreIgnoredAndEveryRowIsEmbedded() throws IOException {
    Path input = dir.resolve("extra.jsonl");
    Files.writeString(
        input,
        "{\"paper_id\": \"p\", \"paragraph_index\": 0, \"text\": \"First.\", \"section\": \"intro\","
            + " \"score\": 0.5, \"authors\": [\"a\", \"b\"]}\n"
            + "{\"paper_id\": \"p\", \"paragraph_index\": 1, \"text\": \"Second.\", \"section\": null}\n");
    EmbedResult result = run(input);
    assertTrue(result.succeeded());
    assertEquals(2, table().count());
    assertEquals(0, reasons().size());
    assertEquals(
        List.of(
            "paper_id",
            "paragraph_index",
            "embedding",
            "token_count",
            "truncated",
            "chunks",
            "text_sha256"),
        List.of(table().schema().fieldNames()),
        "the table's columns, whatever else the input holds");
  }

  @Test
  void aTextColumnOfTheWrongTypeIsOneClearLine() {
    Path input = dir.resolve("ints.parquet");
    spark
        .range(3)
        .selectExpr("'p' as paper_id", "id as paragraph_index", "id as text")
        .write()
        .parquet(input.toString());
    UserError e = assertThrows(UserError.class, () -> run(input));
    assertEquals(
        "Column 'text' (--text-column) has type bigint; it must hold a string", e.getMessage());
  }

  @Test
  void anEmptyInputSaysSo() throws IOException {
    Path input = dir.resolve("empty.jsonl");
    Files.writeString(input, "");
    UserError e = assertThrows(UserError.class, () -> run(input));
    assertTrue(
        e.getMessage().endsWith("columns found: none (is the input empty?)"), e.getMessage());
  }

  @Test
  void aCsvWithABrokenQuoteLosesNoRow() throws IOException {
    Path input = dir.resolve("broken.csv");
    Files.writeString(
        input,
        "paper_id,paragraph_index,text\n"
            + "d,0,\"fine, quoted\"\n"
            + "d,1,\"this quote never closes\n"
            + "d,2,plain\n");
    EmbedResult result = run(input);
    long accounted = table().count() + reasons().size() + result.counts().identicalDuplicates();
    assertEquals(result.counts().rowsRead(), accounted, "every row read is accounted for");
    assertTrue(table().where("paragraph_index = 0").count() == 1, "the good row lands");
  }

  @Test
  void jsonLinesSparkWouldRefuseOrMisreadAreRejectedRowsAndGoodRowsLand() throws IOException {
    List<String> lines =
        List.of(
            "{\"paper_id\": \"j\", \"paragraph_index\": 0, \"text\": \"A good first paragraph.\"}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 1, \"Text\": \"a key in capitals\"}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 2, \"text\": \"one\", \"text\": \"two\"}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 3, \"text\": {\"nested\": \"object\"}}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 4, \"text\": [\"an\", \"array\"]}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 5, \"text\": 42}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 6, \"text\": true}",
            "{\"paper_id\": \"j\", \"paragraph_index\": true, \"text\": \"a boolean index\"}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 7.0, \"text\": \"An index written 7.0.\"}",
            "{\"paper_id\": \"j\", \"paragraph_index\": 8, \"text\": \"\u0301\u0302\u0303\"}",
            "[1, 2, 3]",
            "",
            "{\"paper_id\": \"j\", \"paragraph_index\": 9, \"text\": \"A good last paragraph.\"}");
    Path input = dir.resolve("odd-keys.jsonl");
    Files.write(input, lines, StandardCharsets.UTF_8);

    EmbedResult result = run(input);
    assertEquals(12, result.counts().rowsRead(), "blank lines are not rows, as in Spark's reader");
    List<String> keys =
        table()
            .orderBy("paragraph_index")
            .select("paragraph_index")
            .as(Encoders.INT())
            .collectAsList()
            .stream()
            .map(String::valueOf)
            .toList();
    assertEquals(List.of("0", "7", "9"), keys);
    List<String> reasons = reasons();
    assertEquals(9, reasons.size(), reasons::toString);
    for (String expected :
        List.of(
            "no key 'text' (the record has 'Text'; keys are case-sensitive)",
            "malformed record (Duplicate field 'text' in one object): {\"paper_id\": \"j\"",
            "text is a JSON object, not a string: {\"nested\":\"object\"}",
            "text is a JSON array, not a string: [\"an\",\"array\"]",
            "text is a JSON number, not a string: 42",
            "text is a JSON boolean, not a string: true",
            "paragraph_index is a JSON boolean, not an integer: true",
            "text has only combining marks, no letters, digits or symbols",
            "malformed record: not a JSON object: [1, 2, 3]")) {
      assertTrue(
          reasons.stream().anyMatch(r -> r.startsWith(expected)),
          () -> "no rejection '" + expected + "' among " + reasons);
    }
    assertEquals(
        result.counts().rowsRead(),
        table().count() + reasons.size() + result.counts().identicalDuplicates());
  }

  @Test
  void aCsvRowWithMoreFieldsThanItsHeaderIsRejectedNotCut() throws IOException {
    Path input = dir.resolve("extra.csv");
    Files.writeString(
        input,
        "paper_id,paragraph_index,text\n"
            + "c,0,\"quoted, so the comma is text\"\n"
            + "c,1,an unquoted comma, after which the text would be lost\n"
            + "c,2,plain\n");
    EmbedResult result = run(input);
    assertEquals(3, result.counts().rowsRead());
    assertEquals(2, table().count());
    assertEquals(
        List.of(
            "has more fields than the header's 3; the first extra:  after which the text would be"
                + " lost"),
        reasons());
  }

  @Test
  void aParquetFolderMixingColumnTypesIsOneClearLine() {
    Path input = dir.resolve("mixed");
    spark
        .sql("select 'm' as paper_id, 0 as paragraph_index, 'an int index' as text")
        .write()
        .parquet(input.resolve("a").toString());
    spark
        .sql("select 'm' as paper_id, 'one' as paragraph_index, 'a string index' as text")
        .write()
        .parquet(input.resolve("b").toString());
    UserError e =
        assertThrows(
            UserError.class,
            () ->
                run(
                    CorpusSource.of(input + "/*"),
                    dir.resolve("out"),
                    OutputMode.ERROR,
                    LongText.TRUNCATE,
                    0));
    assertTrue(e.getMessage().startsWith("Cannot read --input " + input + "/*"), e.getMessage());
    assertTrue(e.getMessage().contains("paragraph_index"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("out/all-minilm-l6-v2-q")), "nothing embedded");
  }

  @Test
  void anOutputThatCannotBeAFolderStopsBeforeAnyWork() throws IOException {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a folder");
    UserError under =
        assertThrows(
            UserError.class,
            () -> run(examples(), file.resolve("out"), OutputMode.ERROR, LongText.TRUNCATE, 0));
    assertEquals(
        "Cannot use --output file:"
            + file.resolve("out")
            + ": file:"
            + file
            + " is a file, not a folder; choose another --output",
        under.getMessage());
    // /proc takes no new folders, whoever asks
    UserError readOnly =
        assertThrows(
            UserError.class,
            () ->
                run(
                    examples(),
                    Path.of("/proc/sparkembed-test-output"),
                    OutputMode.ERROR,
                    LongText.TRUNCATE,
                    0));
    assertTrue(
        readOnly
            .getMessage()
            .startsWith("Cannot write to --output file:/proc/sparkembed-test-output"),
        readOnly.getMessage());
    assertTrue(readOnly.getMessage().endsWith("choose a folder this job may create files in"));
  }

  @Test
  void aChunkOverlapOfMoreThanHalfAWindowStopsBeforeAnyWork() {
    for (int overlap : new int[] {300, 253, 128}) {
      UserError e =
          assertThrows(
              UserError.class,
              () ->
                  run(
                      examples(),
                      dir.resolve("out"),
                      OutputMode.ERROR,
                      LongText.chunked(overlap),
                      0));
      assertEquals(
          "Cannot set --chunk-overlap to "
              + overlap
              + ": all-minilm-l6-v2-q embeds windows of 254 text tokens, and the overlap may be at"
              + " most half a window (127), or each window would repeat more tokens than it adds",
          e.getMessage());
    }
    assertTrue(Files.notExists(dir.resolve("out")), "nothing is written");
    assertTrue(
        run(examples(), dir.resolve("out"), OutputMode.ERROR, LongText.chunked(127), 0)
            .succeeded());
  }

  @Test
  void partitionsBeyondTheRowsAreNotTasksWithNothingToDo() {
    EmbedResult result =
        run(examples(), dir.resolve("out"), OutputMode.ERROR, LongText.TRUNCATE, 100_000);
    assertTrue(result.succeeded());
    assertEquals(32, result.models().get(0).manifest().partitions());
  }

  @Test
  void aDamagedManifestStopsUpdateAndResumeBeforeAnyWork() throws IOException {
    Path output = dir.resolve("out");
    assertTrue(run(examples(), output, OutputMode.ERROR, LongText.TRUNCATE, 0).succeeded());
    Path manifest = output.resolve("all-minilm-l6-v2-q/_manifest.json");
    String whole = Files.readString(manifest);
    Files.writeString(manifest, whole.substring(0, whole.length() / 2));
    for (OutputMode mode : List.of(OutputMode.UPDATE, OutputMode.RESUME)) {
      UserError e =
          assertThrows(UserError.class, () -> run(examples(), output, mode, LongText.TRUNCATE, 0));
      assertTrue(
          e.getMessage().startsWith("Cannot read the manifest file:" + manifest + ": "),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("or pass --mode overwrite to rebuild the table"));
    }
    assertEquals(32, table().count(), "the table is untouched");
  }
}
