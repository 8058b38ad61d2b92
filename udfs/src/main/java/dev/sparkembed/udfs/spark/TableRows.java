package dev.sparkembed.udfs.spark;

import dev.sparkembed.udfs.embed.Embedded;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** The embedding job's rows: {@link EmbeddingTable#INPUT} in, {@link EmbeddingTable#OUTPUT} out. */
public final class TableRows implements PartitionRows {
  private static final long serialVersionUID = 1L;

  @Override
  public String text(Row row) {
    return row.getString(2);
  }

  @Override
  public String describe(Row row) {
    return "paper_id=" + row.getString(0) + ", paragraph_index=" + row.getInt(1);
  }

  @Override
  public Row output(Embedded<Row> e) {
    Row in = e.item();
    return RowFactory.create(
        in.getString(0),
        in.getInt(1),
        e.vector(),
        e.tokenCount(),
        e.truncated(),
        e.chunks(),
        in.getString(3));
  }

  @Override
  public StructType outputSchema() {
    return EmbeddingTable.OUTPUT;
  }
}
