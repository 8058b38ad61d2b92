package dev.sparkembed.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.model.ModelRegistry;
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

  @TempDir Path dir;

  @Test
  void everyParagraphIsEmbeddedOnceWithAUnitVectorAndProgressIsReported() {
    Path corpus = TestData.shared("unarxive/paragraphs.jsonl");
    SparkSession spark = SparkTestSession.get();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    EmbedResult result =
        new EmbedJob(
                spark,
                new EmbedJobOptions(
                    CorpusSource.of(corpus.toString()),
                    dir.toString(),
                    OutputMode.OVERWRITE,
                    List.of(ModelRegistry.builtIn().get("all-minilm-l6-v2")),
                    BatchSettings.DEFAULT,
                    0),
                new PrintStream(log, true),
                5_000)
            .run();
    assertTrue(result.succeeded());

    Dataset<Row> table = spark.read().parquet(dir.resolve("all-minilm-l6-v2").toString());
    long input = spark.read().json(corpus.toString()).count();
    long rejected = spark.read().parquet(dir.resolve("_rejected").toString()).count();
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
}
