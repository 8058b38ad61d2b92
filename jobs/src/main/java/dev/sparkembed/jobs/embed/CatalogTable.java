package dev.sparkembed.jobs.embed;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One table of the session's catalogs, named as in SQL ({@code [catalog.]namespace.table}, parts in
 * backticks where needed), with what sparkembed records in its properties: {@value
 * #CONTENT_PROPERTY} marks a table sparkembed wrote, {@value #MANIFEST_PROPERTY} holds an embedding
 * table's manifest as JSON.
 */
public final class CatalogTable {

  static final String MANIFEST_PROPERTY = "sparkembed.manifest";
  static final String CONTENT_PROPERTY = "sparkembed.content";
  static final String EMBEDDINGS = "embeddings";
  static final String REJECTED = "rejected";

  private final SparkSession spark;
  private final String name;
  private final List<String> parts;

  private CatalogTable(SparkSession spark, String name, List<String> parts) {
    this.spark = spark;
    this.name = name;
    this.parts = parts;
  }

  /** Parses {@code name}, given as {@code option}; a name that is not a table name is an error. */
  public static CatalogTable named(SparkSession spark, String name, String option) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '`') {
        if (quoted && i + 1 < name.length() && name.charAt(i + 1) == '`') {
          part.append('`');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == '.' && !quoted) {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    if (quoted || parts.stream().anyMatch(p -> p.isBlank())) {
      throw new UserError(
          "Cannot use "
              + option
              + " "
              + name
              + ": not a table name ([catalog.]namespace.table, parts in backticks where needed)");
    }
    return new CatalogTable(spark, name, List.copyOf(parts));
  }

  public String name() {
    return name;
  }

  /** The name for SQL text, every part in backticks. */
  String quoted() {
    StringBuilder sql = new StringBuilder();
    for (String part : parts) {
      if (sql.length() > 0) {
        sql.append('.');
      }
      sql.append('`').append(part.replace("`", "``")).append('`');
    }
    return sql.toString();
  }

  /**
   * Stops the run when the name's catalog is not configured or its namespace does not exist. A
   * first part names a catalog when the name has three parts or more, or the session configures a
   * catalog of that name. A path identifier ({@code delta.`/path`}) is the format's to resolve.
   */
  void checkResolvable(String option) {
    if (isPathIdentifier()) {
      return;
    }
    String first = parts.get(0);
    boolean catalog = namesCatalog();
    if (parts.size() > 2 && !configured(first)) {
      throw new UserError(
          "Cannot use "
              + option
              + " "
              + name
              + ": the session has no catalog "
              + first
              + " (configure it with --conf spark.sql.catalog."
              + first
              + "=<catalog class>)");
    }
    if (parts.size() > (catalog ? 2 : 1)) {
      String namespace = quotedParts(0, parts.size() - 1);
      if (!spark.catalog().databaseExists(namespace)) {
        throw new UserError(
            "Cannot use "
                + option
                + " "
                + name
                + ": its namespace "
                + namespace
                + " does not exist; create it with CREATE NAMESPACE "
                + namespace);
      }
    }
  }

  /** A table named by its folder, as Delta's {@code delta.`/path/to/table`}. */
  private boolean isPathIdentifier() {
    String last = parts.get(parts.size() - 1);
    return parts.size() == 2
        && TableFormat.ofProvider(parts.get(0)) != null
        && (last.startsWith("/") || last.contains(":/"));
  }

  private String quotedParts(int from, int to) {
    return new CatalogTable(spark, name, parts.subList(from, to)).quoted();
  }

  /** Whether the first part is a catalog (else the name is in the session's current catalog). */
  private boolean namesCatalog() {
    return !isPathIdentifier()
        && parts.size() > 1
        && (parts.size() > 2 || configured(parts.get(0)));
  }

  private boolean configured(String catalog) {
    return catalog.equalsIgnoreCase("spark_catalog")
        || spark.conf().contains("spark.sql.catalog." + catalog);
  }

  /** The catalog this name resolves in, or null for the session's current catalog. */
  String catalog() {
    return namesCatalog() ? parts.get(0) : null;
  }

  /** The table's rows, as the catalog reads them. */
  public Dataset<Row> rows() {
    return spark.table(quoted());
  }

  boolean exists() {
    return spark.catalog().tableExists(quoted());
  }

  Map<String, String> properties() {
    Map<String, String> properties = new HashMap<>();
    for (Row row : spark.sql("SHOW TBLPROPERTIES " + quoted()).collectAsList()) {
      properties.put(row.getString(0), row.getString(1));
    }
    return properties;
  }

  /** The table's provider (delta, iceberg, parquet, ...), as DESCRIBE reports it. */
  String provider() {
    for (Row row : spark.sql("DESCRIBE TABLE EXTENDED " + quoted()).collectAsList()) {
      if ("Provider".equalsIgnoreCase(row.getString(0).trim())) {
        return row.getString(1).trim();
      }
    }
    return "unknown";
  }

  /** Stops the run when the table exists but sparkembed did not write it as {@code content}. */
  void checkWrittenBySparkembed(String content, String option) {
    String found = properties().get(CONTENT_PROPERTY);
    if (!content.equals(found)) {
      throw new UserError(
          "Cannot use "
              + option
              + ": table "
              + name
              + " exists and "
              + (found == null
                  ? "was not written by sparkembed (it has no " + CONTENT_PROPERTY + " property)"
                  : "holds sparkembed's " + found + " rows, not " + content)
              + "; choose another name, or drop the table");
    }
  }

  /**
   * The manifest in the table's properties, or null when there is none; one that cannot be read
   * stops the run.
   */
  Manifest manifest() {
    String json = properties().get(MANIFEST_PROPERTY);
    if (json == null) {
      return null;
    }
    try {
      return Manifest.fromJson(json.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new UserError(
          "Cannot read the manifest in the "
              + MANIFEST_PROPERTY
              + " property of table "
              + name
              + ": "
              + Messages.rootMessage(e)
              + "; pass --mode overwrite to rebuild the table",
          e);
    }
  }

  /** The manifest of an embedding table sparkembed wrote, for a reader such as export. */
  public Manifest requireManifest(String option) {
    if (!exists()) {
      throw new UserError("Cannot use " + option + " " + name + ": there is no such table");
    }
    checkWrittenBySparkembed(EMBEDDINGS, option + " " + name);
    Manifest manifest = manifest();
    if (manifest == null) {
      throw new UserError(
          "Cannot use " + option + " " + name + ": it has no " + MANIFEST_PROPERTY + " property");
    }
    return manifest;
  }
}
