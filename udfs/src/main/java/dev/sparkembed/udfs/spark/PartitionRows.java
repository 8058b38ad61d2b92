package dev.sparkembed.udfs.spark;

import dev.sparkembed.udfs.embed.Embedded;
import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** How {@link EmbedPartitions} reads the text of its rows and writes the rows that come out. */
public interface PartitionRows extends Serializable {

  /** The text to embed; null or empty: none (the row comes out with a null vector). */
  String text(Row row);

  /** Names a row in an error message. */
  String describe(Row row);

  /** The row that comes out for an embedded one (its vector null when it had no text). */
  Row output(Embedded<Row> embedded);

  /** The schema of the rows {@link #output} makes. */
  StructType outputSchema();
}
