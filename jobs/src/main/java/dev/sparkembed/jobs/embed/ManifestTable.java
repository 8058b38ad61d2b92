package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The manifests of a run's catalog tables, one row per model (model, table, manifest as JSON), in a
 * table of their own: an embedding table's MERGE cannot change its properties, and Spark hides
 * property values that look like secrets (a manifest names tokens) from SHOW TBLPROPERTIES.
 */
final class ManifestTable {

  static final String MODEL = "model";
  static final String TABLE = "table";
  static final String MANIFEST = "manifest";

  private static final StructType SCHEMA =
      new StructType()
          .add(MODEL, DataTypes.StringType, false)
          .add(TABLE, DataTypes.StringType, false)
          .add(MANIFEST, DataTypes.StringType, false);

  private final SparkSession spark;
  private final CatalogTable table;

  ManifestTable(SparkSession spark, CatalogTable table) {
    this.spark = spark;
    this.table = table;
  }

  CatalogTable table() {
    return table;
  }

  /** The manifest of {@code model}, or null when none is recorded; one unreadable stops the run. */
  Manifest read(String model) {
    if (!table.exists()) {
      return null;
    }
    List<Row> rows = table.rows().where(col(MODEL).equalTo(model)).select(MANIFEST).collectAsList();
    if (rows.isEmpty()) {
      return null;
    }
    try {
      return Manifest.fromJson(rows.get(0).getString(0).getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new UserError(
          "Cannot read the manifest of "
              + model
              + " in table "
              + table.name()
              + ": "
              + Messages.rootMessage(e)
              + "; pass --mode overwrite to rebuild the table",
          e);
    }
  }

  /** Records {@code manifest} (JSON) as the one of {@code model}'s table, in one transaction. */
  void record(String model, String modelTable, String manifest, TableFormat format) {
    var row =
        spark.createDataFrame(List.of(RowFactory.create(model, modelTable, manifest)), SCHEMA);
    if (!table.exists()) {
      table.write(row, format, Map.of(CatalogTable.CONTENT_PROPERTY, CatalogTable.MANIFESTS));
      return;
    }
    table.merge(
        row,
        "t.`" + MODEL + "` = s.`" + MODEL + "`",
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
  }
}
