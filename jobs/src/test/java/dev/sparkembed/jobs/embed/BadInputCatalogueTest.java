package dev.sparkembed.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusSource;
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
    return new EmbedJob(
            spark,
            new EmbedJobOptions(
                CorpusSource.of(input.toString()),
                dir.resolve("out").toString(),
                OutputMode.ERROR,
                List.of(ModelRegistry.builtIn().get("all-minilm-l6-v2-q")),
                BatchSettings.DEFAULT,
                LongText.TRUNCATE,
                0,
                false),
            new PrintStream(new ByteArrayOutputStream()),
            60_000)
        .run();
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
}
