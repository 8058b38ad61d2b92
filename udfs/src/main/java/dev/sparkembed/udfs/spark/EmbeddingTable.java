package dev.sparkembed.udfs.spark;

import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The columns of the rows that go into the embedding step and of the table that comes out. */
public final class EmbeddingTable {
  private EmbeddingTable() {}

  public static final String PAPER_ID = "paper_id";
  public static final String PARAGRAPH_INDEX = "paragraph_index";
  public static final String TEXT = "text";
  public static final String TEXT_SHA256 = "text_sha256";
  public static final String EMBEDDING = "embedding";
  public static final String TOKEN_COUNT = "token_count";
  public static final String TRUNCATED = "truncated";
  public static final String CHUNKS = "chunks";

  /** What {@link EmbedPartitions} reads, in this order. */
  public static final StructType INPUT =
      new StructType()
          .add(PAPER_ID, DataTypes.StringType, false)
          .add(PARAGRAPH_INDEX, DataTypes.IntegerType, false)
          .add(TEXT, DataTypes.StringType, false)
          .add(TEXT_SHA256, DataTypes.StringType, false);

  /** The embedding table, one row per key. */
  public static final StructType OUTPUT =
      new StructType()
          .add(PAPER_ID, DataTypes.StringType, false)
          .add(PARAGRAPH_INDEX, DataTypes.IntegerType, false)
          .add(EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add(TOKEN_COUNT, DataTypes.IntegerType, false)
          .add(TRUNCATED, DataTypes.BooleanType, false)
          .add(CHUNKS, DataTypes.IntegerType, false)
          .add(TEXT_SHA256, DataTypes.StringType, false);

  /**
   * Parquet writer options for embedding tables: no dictionary for the vectors' values. Nearly
   * every float of a vector is distinct, so a dictionary never pays: the writer would fill one for
   * each row group, give it up at its size limit and encode the values again, plainly. (Spark
   * writes an array column as the three-level list {@code embedding.list.element}.)
   */
  public static final Map<String, String> PARQUET_OPTIONS =
      Map.of("parquet.enable.dictionary#" + EMBEDDING + ".list.element", "false");
}
