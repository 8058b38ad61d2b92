package dev.sparkembed.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.ml.Vectors;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.sql.EmbedFunctions;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** embed, embed_query and cosine called from spark.sql on real models. */
class EmbedFunctionsTest {

  private static final String TEXT =
      "Graph neural networks pass messages along the edges of a graph.";
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    EmbedFunctions.register(spark);
  }

  private static float[] sql(String query) {
    Row row = spark.sql(query).first();
    return Vectors.floats(row.getList(0));
  }

  private static float[] direct(ModelSpec spec, String text) {
    return WindowedEmbedder.embedAll(ModelCache.get(spec, 1), BatchSettings.DEFAULT, List.of(text))[
        0];
  }

  private static ModelSpec model(String name) {
    return ModelRegistry.builtIn().get(name);
  }

  @Test
  void embedWithOneArgumentUsesTheDefaultModelAndWithTwoTheNamedOne() {
    float[] minilm = direct(model("all-minilm-l6-v2"), TEXT);
    Vectors.assertClose(minilm, sql("select embed('" + TEXT + "')"), 1e-6, "embed(text)");
    Vectors.assertClose(
        minilm, sql("select embed('" + TEXT + "', 'all-minilm-l6-v2')"), 1e-6, "embed(text, m)");
    // e5's passages carry "passage: ", which embedAll puts there too
    Vectors.assertClose(
        direct(model("e5-small-v2"), TEXT),
        sql("select embed('" + TEXT + "', 'e5-small-v2')"),
        1e-6,
        "e5 passage");
  }

  @Test
  void embedQueryPutsTheModelsQueryPrefixBeforeTheText() {
    String bgeInstruction = "Represent this sentence for searching relevant passages: ";
    float[] bge = sql("select embed_query('" + TEXT + "', 'bge-small-en-v1.5')");
    Vectors.assertClose(
        direct(model("bge-small-en-v1.5"), bgeInstruction + TEXT), bge, 1e-6, "bge");
    assertNotEquals(
        direct(model("bge-small-en-v1.5"), TEXT)[0], bge[0], "the instruction changes the vector");
    assertEquals(1.0, norm(bge), 1e-5);

    float[] e5 = sql("select embed_query('" + TEXT + "', 'e5-small-v2')");
    ModelSpec e5NoPrefix = model("e5-small-v2").withPassagePrefix("");
    Vectors.assertClose(direct(e5NoPrefix, "query: " + TEXT), e5, 1e-6, "e5");

    // all-MiniLM-L6-v2 is symmetric: a query is embedded as a passage is
    Vectors.assertClose(
        sql("select embed('" + TEXT + "')"),
        sql("select embed_query('" + TEXT + "')"),
        1e-6,
        "minilm");
  }

  @Test
  void nullInGivesNullOut() {
    Row row =
        spark
            .sql(
                "select embed(cast(null as string)), embed_query(cast(null as string), 'e5-small-v2'),"
                    + " embed(''), cosine(null, embed('x'))")
            .first();
    for (int i = 0; i < 4; i++) {
      assertTrue(row.isNullAt(i), "column " + i + " of " + row);
    }
  }

  @Test
  void cosineRanksTheCloseTextFirstAndWorksOverATable() {
    List<Row> rows =
        spark
            .sql(
                "select t, cosine(embed_query('How do graph neural networks work?',"
                    + " 'bge-small-en-v1.5'), embed(t, 'bge-small-en-v1.5')) as score from values"
                    + " ('"
                    + TEXT
                    + "'), ('The recipe needs two eggs and a cup of flour.') as v(t) order by score"
                    + " desc")
            .collectAsList();
    assertEquals(TEXT, rows.get(0).getString(0));
    assertTrue(rows.get(0).getFloat(1) > rows.get(1).getFloat(1) + 0.2, rows.toString());
    float self =
        spark
            .sql("select cosine(embed('" + TEXT + "'), embed('" + TEXT + "'))")
            .first()
            .getFloat(0);
    assertEquals(1.0, self, 1e-5);
  }

  @Test
  void theReadmesQueryOverATableRanksTheMatchingRowFirst() {
    spark
        .sql(
            "select * from values ('a', 0, 'The recipe needs two eggs and a cup of flour.'),"
                + " ('b', 1, '"
                + TEXT
                + "') as t(paper_id, paragraph_index, text)")
        .selectExpr("paper_id", "paragraph_index", "embed(text) as embedding")
        .createOrReplaceTempView("readme_table");
    Row best =
        spark
            .sql(
                "with q as (select embed_query('graph neural networks', 'all-minilm-l6-v2') as v)"
                    + " select t.paper_id, cosine(t.embedding, q.v) as score from readme_table t"
                    + " cross join q order by score desc limit 1")
            .first();
    assertEquals("b", best.getString(0));
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }
}
