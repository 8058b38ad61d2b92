package dev.sparkembed.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.TableDiff;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job on 5,977 real arXiv paragraphs (../shared/data/unarxive). */
class UnarxiveCorpusTest {

  @TempDir static Path onnxDir;
  private static EmbedResult onnxResult;
  private static final ByteArrayOutputStream ONNX_LOG = new ByteArrayOutputStream();

  @TempDir Path dir;

  /** The ONNX Runtime table of the corpus, made once for the tests of this class. */
  private static synchronized EmbedResult onnxRun(Path corpus) {
    if (onnxResult == null) {
      onnxResult =
          embed(corpus, ModelRegistry.builtIn().get("all-minilm-l6-v2"), onnxDir, ONNX_LOG);
    }
    return onnxResult;
  }

  private static EmbedResult embed(
      Path corpus, ModelSpec spec, Path output, ByteArrayOutputStream log) {
    return new EmbedJob(
            SparkTestSession.get(),
            new EmbedJobOptions(
                CorpusSource.of(corpus.toString()),
                output.toString(),
                OutputMode.OVERWRITE,
                List.of(spec),
                BatchSettings.DEFAULT,
                LongText.TRUNCATE,
                0,
                false),
            new PrintStream(log, true),
            5_000)
        .run();
  }

  @Test
  void everyParagraphIsEmbeddedOnceWithAUnitVectorAndProgressIsReported() {
    Path corpus = TestData.shared("unarxive/paragraphs.jsonl");
    SparkSession spark = SparkTestSession.get();
    EmbedResult result = onnxRun(corpus);
    ByteArrayOutputStream log = ONNX_LOG;
    assertTrue(result.succeeded());

    Dataset<Row> table = spark.read().parquet(onnxDir.resolve("all-minilm-l6-v2").toString());
    long input = spark.read().json(corpus.toString()).count();
    long rejected = spark.read().parquet(onnxDir.resolve("_rejected").toString()).count();
    assertEquals(5977, input);
    assertEquals(input, table.count() + rejected + result.counts().identicalDuplicates());
    assertEquals(table.count(), table.select("paper_id", "paragraph_index").distinct().count());
    Row check =
        table
            .selectExpr(
                "min(size(embedding))",
                "max(size(embedding))",
                "min(aggregate(embedding, 0D, (acc, x) -> acc + x * x))",
                "max(aggregate(embedding, 0D, (acc, x) -> acc + x * x))",
                "sum(cast(truncated as int))",
                "sum(cast(token_count > 256 as int))")
            .first();
    assertEquals(384, check.getInt(0));
    assertEquals(384, check.getInt(1));
    assertEquals(1.0, check.getDouble(2), 1e-4);
    assertEquals(1.0, check.getDouble(3), 1e-4);
    assertEquals(258, check.getLong(4), "paragraphs over 256 tokens, as DESIGN.md counts them");
    assertEquals(check.getLong(5), check.getLong(4));
    assertTrue(
        log.toString().contains("paragraphs ("),
        () -> "a progress line during a long run, got: " + log);
  }

  @Test
  void thePyTorchEnginesTableMatchesOnnxRuntimesRowForRow() {
    Path corpus = TestData.shared("unarxive/paragraphs.jsonl");
    ModelSpec pytorch = TestData.torchScript("all-minilm-l6-v2");
    SparkSession spark = SparkTestSession.get();
    assertTrue(onnxRun(corpus).succeeded());
    EmbedResult result = embed(corpus, pytorch, dir, new ByteArrayOutputStream());
    assertTrue(result.succeeded(), () -> result.models().get(0).failure());
    assertEquals("pytorch", result.models().get(0).manifest().engine());

    Dataset<Row> onnx = spark.read().parquet(onnxDir.resolve("all-minilm-l6-v2").toString());
    Dataset<Row> torch = spark.read().parquet(dir.resolve("all-minilm-l6-v2").toString());
    TableDiff diff = TableDiff.of(onnx, torch);
    assertEquals(onnx.count(), diff.keys(), "the same keys");
    assertEquals(0, diff.inOneOnly(), "no row in one table only");
    assertTrue(diff.lowestCosine() >= 0.99999, "lowest cosine " + diff.lowestCosine());
    assertTrue(diff.largestDifference() <= 1e-4, "largest difference " + diff.largestDifference());
    assertEquals(0, diff.otherDifferences(), "the same tokens and truncation");
  }

  @Test
  void longParagraphsAreEmbeddedWholeInOverlappingWindows() throws java.io.IOException {
    Path corpus = TestData.shared("unarxive/paragraphs.jsonl");
    SparkSession spark = SparkTestSession.get();
    Path input = dir.resolve("long.jsonl");
    spark
        .read()
        .json(corpus.toString())
        .where("size(split(text, ' ')) > 150")
        .select("paper_id", "paragraph_index", "text")
        .coalesce(1)
        .write()
        .json(input.toString());
    Path output = dir.resolve("out");
    int overlap = 32;
    EmbedResult result =
        new EmbedJob(
                spark,
                new EmbedJobOptions(
                    CorpusSource.of(input.toString()),
                    output.toString(),
                    OutputMode.ERROR,
                    List.of(ModelRegistry.builtIn().get("all-minilm-l6-v2")),
                    BatchSettings.DEFAULT,
                    LongText.chunked(overlap),
                    0,
                    false),
                new PrintStream(new ByteArrayOutputStream(), true))
            .run();
    assertTrue(result.succeeded());
    Dataset<Row> table = spark.read().parquet(output.resolve("all-minilm-l6-v2").toString());
    // MiniLM: 256 tokens = [CLS] + 254 text tokens + [SEP]; windows step 254 - overlap.
    Row check =
        table
            .selectExpr(
                "count(*)",
                "sum(cast(token_count > 256 as int))",
                "sum(cast(truncated as int))",
                "sum(cast(chunks <> greatest(1, cast(ceil((token_count - 2 - "
                    + overlap
                    + ") / (254.0 - "
                    + overlap
                    + ")) as int)) as int))",
                "min(aggregate(embedding, 0D, (acc, x) -> acc + x * x))",
                "max(chunks)")
            .first();
    assertTrue(check.getLong(1) >= 200, "most of the 258 long paragraphs are in: " + check);
    assertEquals(0, check.getLong(2), "nothing is cut");
    assertEquals(0, check.getLong(3), "every paragraph has the windows its length needs");
    assertEquals(1.0, check.getDouble(4), 1e-4);
    assertTrue(check.getInt(5) >= 4, "the longest paragraphs take several windows");
    Manifest manifest =
        Manifest.fromJson(
            java.nio.file.Files.readAllBytes(output.resolve("all-minilm-l6-v2/_manifest.json")));
    assertTrue(manifest.longText().chunk());
    assertEquals(0, manifest.rowsTruncated());
  }
}
