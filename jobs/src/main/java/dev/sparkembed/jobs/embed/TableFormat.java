package dev.sparkembed.jobs.embed;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The catalog table formats the job writes: those whose Spark writers commit atomically and MERGE.
 */
enum TableFormat {
  DELTA("io.delta.tables.DeltaTable", "io.delta:delta-spark"),
  ICEBERG("org.apache.iceberg.spark.SparkCatalog", "org.apache.iceberg:iceberg-spark-runtime");

  private final String probeClass;
  private final String library;

  TableFormat(String probeClass, String library) {
    this.probeClass = probeClass;
    this.library = library;
  }

  /** The provider name Spark's {@code USING} clause and {@code DESCRIBE} use. */
  String provider() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format named {@code provider}, or null when the job cannot MERGE into that format. */
  static TableFormat ofProvider(String provider) {
    for (TableFormat format : values()) {
      if (format.provider().equalsIgnoreCase(provider)) {
        return format;
      }
    }
    return null;
  }

  /** Whether this format's Spark library is on the driver's classpath. */
  boolean available() {
    try {
      Class.forName(probeClass, false, Thread.currentThread().getContextClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  String library() {
    return library;
  }

  /**
   * Table properties a new table gets: Iceberg merges on read and Delta marks deleted rows in
   * deletion vectors, so a MERGE writes only the rows it changes (not the files they were in);
   * Delta records its change data feed for Vector Search, and says so either way, so that a
   * replaced table ({@link #replace}) turns it off as well as on.
   */
  Map<String, String> createProperties(boolean vectorSearch) {
    Map<String, String> properties = new LinkedHashMap<>();
    if (this == ICEBERG) {
      properties.put("format-version", "2");
      properties.put("write.merge.mode", "merge-on-read");
      properties.put("write.update.mode", "merge-on-read");
      properties.put("write.delete.mode", "merge-on-read");
    } else {
      properties.put("delta.enableDeletionVectors", "true");
      properties.put("delta.enableChangeDataFeed", Boolean.toString(vectorSearch));
    }
    return properties;
  }

  /**
   * Replaces {@code table}, which exists, with {@code rows} (their columns included) and sets its
   * {@code properties}, the rows in one transaction. Iceberg runs a CREATE OR REPLACE TABLE ... AS
   * SELECT. Delta 3.3.2 fails every one on Spark 3.5.6 and later: Spark now writes the staged table
   * of a REPLACE ... AS SELECT by truncating it, which Delta's staged table does not declare
   * (delta-io/delta#4671, fixed in 3.3.3). So on both Spark lines a Delta table's rows and columns
   * are overwritten in one commit, after the properties that differ (a change of --vector-search)
   * are set in a commit of their own.
   */
  void replace(CatalogTable table, Dataset<Row> rows, Map<String, String> properties) {
    if (this == ICEBERG) {
      table.writer(rows, this, properties).createOrReplace();
    } else {
      table.setProperties(properties);
      table.overwrite(rows, Map.of("overwriteSchema", "true"));
    }
  }
}
