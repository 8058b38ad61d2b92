package dev.sparkembed.udfs.spark;

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
}
