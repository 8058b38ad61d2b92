package dev.sparkembed.jobs.search;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusReader;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.jobs.embed.Manifest;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import dev.sparkembed.udfs.spark.ExecutorCores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Finds a table's rows closest to queries: embeds the queries with the table's own model (named by
 * its manifest, refused when its fingerprint differs from the table's), scores every row in Spark
 * and keeps the best {@code k} per query, with their texts when a corpus is given.
 */
public final class TableSearch {

  private final SparkSession spark;
  private final String table;
  private final Manifest manifest;
  private final ModelSpec spec;

  private TableSearch(SparkSession spark, String table, Manifest manifest, ModelSpec spec) {
    this.spark = spark;
    this.table = table;
    this.manifest = manifest;
    this.spec = spec;
  }

  /**
   * @param model the registry name or folder of the table's model; null: the manifest's name
   */
  public static TableSearch of(
      SparkSession spark, String table, ModelRegistry registry, String model) {
    Manifest manifest = Manifest.read(spark, new Path(table));
    if (manifest == null) {
      throw new UserError(
          "--table "
              + table
              + " has no _manifest.json, so it is not a table sparkembed wrote (name the model's"
              + " folder, e.g. OUTPUT/all-minilm-l6-v2)");
    }
    String name = model != null ? model : manifest.model();
    ModelSpec spec;
    try {
      spec = asTheTableWasMade(registry.get(name), manifest);
    } catch (IllegalArgumentException e) {
      throw new UserError(
          "Cannot embed queries for --table "
              + table
              + " with model "
              + name
              + ": "
              + e.getMessage(),
          e);
    }
    if (!spec.fingerprint().equals(manifest.fingerprint())) {
      throw new UserError(
          String.format(
              Locale.ROOT,
              "Model %s is not the model --table %s was made with: its fingerprint is %s, the"
                  + " table's %s (other weights, tokenizer, engine, dtype, pooling or max length);"
                  + " its queries would not be comparable with the table's vectors. Pass --model"
                  + " with the model the table was made with, or --model-registry with its registry",
              name,
              table,
              spec.fingerprint().substring(0, 12),
              manifest.fingerprint().substring(0, 12)));
    }
    return new TableSearch(spark, table, manifest, spec);
  }

  /** The settings of a table's manifest that a run may change and queries do not depend on. */
  private static ModelSpec asTheTableWasMade(ModelSpec spec, Manifest manifest) {
    ModelSpec made = spec;
    if (!made.text().passagePrefix().equals(manifest.passagePrefix())) {
      made = made.withPassagePrefix(manifest.passagePrefix());
    }
    if (made.head().dimension() != manifest.dimension()) {
      made = made.withDimension(manifest.dimension());
    }
    return made;
  }

  public Manifest manifest() {
    return manifest;
  }

  /**
   * The best {@code k} rows for each query, best first, grouped by query in the queries' order.
   *
   * @param corpus the corpus the table was made from, to show each hit's text; or null
   */
  public List<Hit> search(List<String> queries, int k, CorpusSource corpus) {
    float[][] vectors =
        WindowedEmbedder.embedQueries(
            ModelCache.get(spec, ExecutorCores.get()), BatchSettings.DEFAULT, queries, null);
    Dataset<Row> rows =
        spark
            .read()
            .parquet(table)
            .select(
                EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX, EmbeddingTable.EMBEDDING);
    List<Row> partitionBests =
        rows.mapPartitions(new TopHits(vectors, k), Encoders.row(TopHits.SCHEMA)).collectAsList();
    Map<Integer, List<Hit>> byQuery = new HashMap<>();
    for (Row row : partitionBests) {
      byQuery
          .computeIfAbsent(row.getInt(0), q -> new ArrayList<>())
          .add(new Hit(row.getInt(0), 0, row.getString(1), row.getInt(2), row.getFloat(3), null));
    }
    List<Hit> hits = new ArrayList<>();
    for (int q = 0; q < queries.size(); q++) {
      List<Hit> found = byQuery.getOrDefault(q, List.of());
      List<Hit> best = found.stream().sorted(TopHits.BEST_FIRST).limit(k).toList();
      for (int r = 0; r < best.size(); r++) {
        hits.add(best.get(r).withRank(r + 1));
      }
    }
    return corpus == null ? hits : withTexts(hits, corpus);
  }

  private List<Hit> withTexts(List<Hit> hits, CorpusSource corpus) {
    List<Row> keys = new ArrayList<>();
    for (Hit hit : hits) {
      keys.add(RowFactory.create(hit.paperId(), hit.paragraphIndex()));
    }
    Dataset<Row> wanted =
        spark.createDataFrame(
            keys,
            new StructType()
                .add(EmbeddingTable.PAPER_ID, DataTypes.StringType)
                .add(EmbeddingTable.PARAGRAPH_INDEX, DataTypes.IntegerType));
    Dataset<Row> texts =
        CorpusReader.read(spark, corpus)
            .select(
                col(corpus.idColumn()).cast("string").as(EmbeddingTable.PAPER_ID),
                col(corpus.indexColumn()).cast("int").as(EmbeddingTable.PARAGRAPH_INDEX),
                col(corpus.textColumn()).as(EmbeddingTable.TEXT));
    Map<String, String> byKey = new HashMap<>();
    for (Row row :
        texts
            .join(
                broadcast(wanted.distinct()),
                new String[] {EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX})
            .collectAsList()) {
      byKey.put(row.getString(0) + "\u0000" + row.getInt(1), row.getString(2));
    }
    List<Hit> out = new ArrayList<>(hits.size());
    for (Hit hit : hits) {
      out.add(hit.withText(byKey.get(hit.paperId() + "\u0000" + hit.paragraphIndex())));
    }
    return out;
  }
}
