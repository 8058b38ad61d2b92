package dev.sparkembed.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.spark.DeviceSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --output-table} refuses, before any work and naming what to change, what it cannot write:
 * checked on the session's own catalog and a real Iceberg Hadoop catalog configured at run time.
 */
class CatalogTableOptionsTest {

  private static final String ICEBERG = "sparkembed_options_ice";

  @TempDir static Path warehouse;
  @TempDir Path dir;
  private static SparkSession spark;

  @BeforeAll
  static void icebergCatalog() throws Exception {
    spark = SparkTestSession.get();
    spark.conf().set("spark.sql.catalog." + ICEBERG, "org.apache.iceberg.spark.SparkCatalog");
    spark.conf().set("spark.sql.catalog." + ICEBERG + ".type", "hadoop");
    spark.conf().set("spark.sql.catalog." + ICEBERG + ".warehouse", warehouse.toString());
    Files.createDirectories(warehouse.resolve("db"));
  }

  private String refusal(TableOutput table) {
    EmbedJobOptions options =
        new EmbedJobOptions(
            CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
            null,
            OutputMode.ERROR,
            List.of(ModelRegistry.builtIn().get("all-minilm-l6-v2-q")),
            BatchRequest.of(BatchSettings.DEFAULT),
            LongText.TRUNCATE,
            0,
            false,
            DeviceSettings.AUTO,
            0,
            0,
            false,
            table);
    return assertThrows(
            UserError.class,
            () -> new EmbedJob(spark, options, new PrintStream(new ByteArrayOutputStream())).run())
        .getMessage();
  }

  private TableOutput table(String pattern, String format, boolean vectorSearch) {
    return new TableOutput(pattern, format, dir.resolve("work").toString(), vectorSearch);
  }

  @Test
  void namesEachModelsTableFromThePattern() {
    assertEquals(
        "main.search.emb_all_minilm_l6_v2",
        CatalogTableSink.tableName("main.search.emb_{model}", "all-MiniLM-L6-v2"));
    assertEquals(
        "main.search.emb_bge_small_en_v1_5",
        CatalogTableSink.tableName("main.search.emb", "bge-small-en-v1.5"));
    assertEquals("`a.b`.emb_rejected", CatalogTableSink.tableName("`a.b`.emb_{model}", "rejected"));
  }

  @Test
  void refusesAnUnknownCatalog() {
    String message = refusal(table("nowhere.db.emb_{model}", "delta", false));
    assertTrue(message.contains("no catalog nowhere"), message);
  }

  @Test
  void refusesAMissingNamespace() {
    String message = refusal(table(ICEBERG + ".missing.emb_{model}", null, false));
    assertTrue(message.contains("namespace") && message.contains("missing"), message);
  }

  @Test
  void refusesAFormatThatCannotMerge() {
    String message = refusal(table("default.emb_{model}", "parquet", false));
    assertTrue(message.contains("--table-format to parquet"), message);
    message = refusal(table("default.emb_{model}", null, false));
    assertTrue(message.contains("parquet tables, which cannot MERGE"), message);
  }

  @Test
  void refusesVectorSearchOnIceberg() {
    String message = refusal(table(ICEBERG + ".db.emb_{model}", null, true));
    assertTrue(message.contains("Vector Search syncs from Delta tables"), message);
  }

  @Test
  void refusesATableSparkembedDidNotWrite() {
    spark.sql("CREATE TABLE " + ICEBERG + ".db.theirs_all_minilm_l6_v2_q (x INT) USING iceberg");
    String message = refusal(table(ICEBERG + ".db.theirs_{model}", null, false));
    assertTrue(message.contains("was not written by sparkembed"), message);
    assertTrue(message.contains("theirs_all_minilm_l6_v2_q"), message);
  }

  @Test
  void takesExactlyOneOutput() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new EmbedJobOptions(
                    CorpusSource.of("in.jsonl"),
                    "out",
                    OutputMode.ERROR,
                    List.of(ModelRegistry.builtIn().get("all-minilm-l6-v2-q")),
                    BatchRequest.of(BatchSettings.DEFAULT),
                    LongText.TRUNCATE,
                    0,
                    false,
                    DeviceSettings.AUTO,
                    0,
                    0,
                    false,
                    table("default.emb_{model}", "delta", false)));
    assertTrue(e.getMessage().contains("exactly one of --output"), e.getMessage());
  }
}
