package dev.sparkembed.jobs.embed;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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
   * Delta records its change data feed for Vector Search.
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
      if (vectorSearch) {
        properties.put("delta.enableChangeDataFeed", "true");
      }
    }
    return properties;
  }
}
