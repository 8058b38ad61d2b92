package dev.sparkembed.udfs.spark;

import dev.sparkembed.udfs.embed.Embedded;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Any rows in, the same rows out with the vector appended (and, when named, the text's token count
 * and whether it was truncated): what the {@code SentenceEmbedder} Transformer adds to a frame. A
 * null or empty text gives nulls in the added columns.
 */
public final class AppendedColumns implements PartitionRows {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN_CHARS = 60;

  private final StructType input;
  private final int textIndex;
  private final String vectorColumn;
  private final String tokenCountColumn;
  private final String truncatedColumn;

  /**
   * @param tokenCountColumn where the token count goes, or null for none
   * @param truncatedColumn where whether the text was truncated goes, or null for none
   */
  public AppendedColumns(
      StructType input,
      String textColumn,
      String vectorColumn,
      String tokenCountColumn,
      String truncatedColumn) {
    this.input = input;
    this.textIndex = input.fieldIndex(textColumn);
    this.vectorColumn = vectorColumn;
    this.tokenCountColumn = tokenCountColumn;
    this.truncatedColumn = truncatedColumn;
  }

  @Override
  public String text(Row row) {
    return row.getString(textIndex);
  }

  @Override
  public String describe(Row row) {
    String text = text(row);
    String shown = text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "...";
    return input.fields()[textIndex].name() + "='" + shown + "'";
  }

  @Override
  public Row output(Embedded<Row> e) {
    Row in = e.item();
    int extra = 1 + (tokenCountColumn == null ? 0 : 1) + (truncatedColumn == null ? 0 : 1);
    Object[] values = new Object[in.length() + extra];
    for (int i = 0; i < in.length(); i++) {
      values[i] = in.get(i);
    }
    boolean embedded = e.vector() != null;
    int next = in.length();
    values[next++] = e.vector();
    if (tokenCountColumn != null) {
      values[next++] = embedded ? e.tokenCount() : null;
    }
    if (truncatedColumn != null) {
      values[next] = embedded ? e.truncated() : null;
    }
    return RowFactory.create(values);
  }

  @Override
  public StructType outputSchema() {
    StructType out =
        input.add(vectorColumn, DataTypes.createArrayType(DataTypes.FloatType, false), true);
    if (tokenCountColumn != null) {
      out = out.add(tokenCountColumn, DataTypes.IntegerType, true);
    }
    if (truncatedColumn != null) {
      out = out.add(truncatedColumn, DataTypes.BooleanType, true);
    }
    return out;
  }
}
