package dev.sparkembed.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.jobs.embed.EmbedJob;
import dev.sparkembed.jobs.embed.EmbedJobOptions;
import dev.sparkembed.jobs.embed.EmbedResult;
import dev.sparkembed.jobs.embed.OutputMode;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.ml.SentenceEmbedder;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SentenceEmbedder Transformer on real Spark and real models, against the embedding job. */
class SentenceEmbedderTest {

  private static SparkSession spark;
  private static Dataset<Row> paragraphs;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    paragraphs = spark.read().json(TestData.examples("paragraphs.jsonl").toString()).repartition(3);
  }

  private Map<String, float[]> jobTable(String model) {
    Path output = dir.resolve("job");
    EmbedResult result =
        new EmbedJob(
                spark,
                new EmbedJobOptions(
                    CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
                    output.toString(),
                    OutputMode.OVERWRITE,
                    List.of(ModelRegistry.builtIn().get(model)),
                    BatchSettings.DEFAULT,
                    LongText.TRUNCATE,
                    0,
                    false),
                new PrintStream(new ByteArrayOutputStream()))
            .run();
    assertTrue(result.succeeded(), () -> result.models().toString());
    return Vectors.byKey(spark.read().parquet(output.resolve(model).toString()), "embedding");
  }

  @Test
  void givesTheJobsVectorsAndKeepsEveryRowAndColumn() {
    for (String model : List.of("all-minilm-l6-v2", "e5-small-v2")) {
      Dataset<Row> out =
          new SentenceEmbedder()
              .setInputCol("text")
              .setOutputCol("v")
              .setModel(model)
              .setTokenCountCol("tokens")
              .setTruncatedCol("cut")
              .transform(paragraphs);
      assertEquals(paragraphs.count(), out.count());
      List<String> columns = List.of(out.columns());
      for (String column : paragraphs.columns()) {
        assertTrue(columns.contains(column), column + " kept");
      }
      assertEquals(paragraphs.columns().length + 3, out.columns().length);
      assertEquals(0, out.where("title is null or tokens < 3 or cut is null").count());
      Vectors.assertSame(jobTable(model), Vectors.byKey(out, "v"), 1e-6);
    }
  }

  @Test
  void batchSettingsDoNotChangeTheVectors() {
    Map<String, float[]> reference = vectors(e -> {});
    Vectors.assertSame(
        reference, vectors(e -> e.setBatchSize(1).setBatchTokens(1024).setWindowRows(1)), 1e-6);
    Vectors.assertSame(
        reference,
        vectors(e -> e.setBatchSize(64).setBatchTokens(16_384).setWindowRows(5000)),
        1e-6);
  }

  private Map<String, float[]> vectors(Consumer<SentenceEmbedder> settings) {
    SentenceEmbedder embedder = new SentenceEmbedder().setModel("all-minilm-l6-v2");
    settings.accept(embedder);
    return Vectors.byKey(embedder.transform(paragraphs), "embedding");
  }

  @Test
  void aNullOrEmptyTextGivesANullVectorAndTheRowStays() {
    Dataset<Row> frame =
        spark.sql(
            "select * from values ('a', 0, 'Dense retrieval ranks by cosine.'), ('b', 1, null),"
                + " ('c', 2, '') as t(paper_id, paragraph_index, text)");
    List<Row> rows =
        new SentenceEmbedder()
            .setTokenCountCol("tokens")
            .transform(frame)
            .orderBy("paper_id")
            .collectAsList();
    assertEquals(3, rows.size());
    assertEquals(384, rows.get(0).getList(3).size());
    assertTrue(rows.get(0).getInt(4) > 5);
    for (Row row : rows.subList(1, 3)) {
      assertTrue(row.isNullAt(3), row + ": null vector");
      assertTrue(row.isNullAt(4), row + ": null token count");
    }
  }

  @Test
  void aSavedAndLoadedPipelineGivesTheSameVectors() throws Exception {
    SentenceEmbedder embedder =
        new SentenceEmbedder()
            .setInputCol("text")
            .setOutputCol("v")
            .setModel("bge-small-en-v1.5")
            .setRole("query")
            .setBatchSize(4);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {embedder}).fit(paragraphs);
    String path = dir.resolve("pipeline").toString();
    fitted.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);

    SentenceEmbedder back = (SentenceEmbedder) loaded.stages()[0];
    assertEquals("bge-small-en-v1.5", back.getModel());
    assertEquals("query", back.getRole());
    assertEquals(4, back.getBatchSize());
    assertEquals(embedder.uid(), back.uid());
    Map<String, float[]> before = Vectors.byKey(fitted.transform(paragraphs), "v");
    Map<String, float[]> after = Vectors.byKey(loaded.transform(paragraphs), "v");
    Vectors.assertSame(before, after, 0);

    SentenceEmbedder alone = SentenceEmbedder.load(saved(embedder));
    assertArrayEquals(
        before.get("sample-0001/0"),
        Vectors.byKey(alone.transform(paragraphs), "v").get("sample-0001/0"));
  }

  private String saved(SentenceEmbedder embedder) throws Exception {
    String path = dir.resolve("alone").toString();
    embedder.write().save(path);
    return path;
  }

  @Test
  void everyBadParamOrColumnIsNamed() {
    bad("inputCol", "body", "no such column", e -> e.setInputCol("body"));
    bad("inputCol", "paragraph_index", "must be string", e -> e.setInputCol("paragraph_index"));
    bad("inputCol", " ", "name the string column", e -> e.setInputCol(" "));
    bad("outputCol", "title", "already has that column", e -> e.setOutputCol("title"));
    bad("outputCol", "", "name the column", e -> e.setOutputCol(""));
    bad("tokenCountCol", "embedding", "another of", e -> e.setTokenCountCol("embedding"));
    bad("truncatedCol", "text", "already has", e -> e.setTruncatedCol("text"));
    bad("model", "no-such-model", "Unknown model", e -> e.setModel("no-such-model"));
    bad("model", "/no/such/folder", "", e -> e.setModel("/no/such/folder"));
    bad("registry", "/no/such.yaml", "does not exist", e -> e.setRegistry("/no/such.yaml"));
    bad("role", "document", "passage or query", e -> e.setRole("document"));
    bad("longText", "split", "truncate or chunk", e -> e.setLongText("split"));
    bad("device", "tpu", "auto, gpu or cpu", e -> e.setDevice("tpu"));
    bad("batchSize", "0", "at least 1", e -> e.setBatchSize(0));
    bad("batchTokens", "8", "at least 16", e -> e.setBatchTokens(8));
    bad("windowRows", "4", "at least batchSize", e -> e.setWindowRows(4));
    bad("chunkOverlap", "-1", "at least 0", e -> e.setChunkOverlap(-1));
    bad("task", "find", "role query only", e -> e.setTask("find"));
    bad("task", "find", "has no {task}", e -> e.setRole("query").setTask("find"));
  }

  private void bad(String param, String value, String why, Consumer<SentenceEmbedder> set) {
    SentenceEmbedder embedder = new SentenceEmbedder();
    set.accept(embedder);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> embedder.transformSchema(paragraphs.schema()));
    String expected = "SentenceEmbedder: cannot set " + param + " to '" + value + "'";
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> embedder.transform(paragraphs));
  }

  @Test
  void theSchemaSaysWhatTransformAdds() {
    SentenceEmbedder embedder = new SentenceEmbedder().setTruncatedCol("cut");
    assertEquals(
        embedder.transformSchema(paragraphs.schema()),
        embedder.transform(paragraphs.limit(2)).schema());
  }
}
