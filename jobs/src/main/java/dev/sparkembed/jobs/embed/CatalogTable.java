package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.lit;

import dev.sparkembed.jobs.UserError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.CreateTableWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;

/**
 * One table of the session's catalogs, named as in SQL ({@code [catalog.]namespace.table}, parts in
 * backticks where needed), with what sparkembed records in its properties: {@value
 * #CONTENT_PROPERTY} marks a table sparkembed wrote (embeddings, rejected or manifests); an
 * embedding table's {@value #MODEL_PROPERTY} and {@value #MANIFESTS_PROPERTY} say where its
 * manifest is ({@link ManifestTable}).
 */
public final class CatalogTable {

  static final String CONTENT_PROPERTY = "sparkembed.content";
  static final String MODEL_PROPERTY = "sparkembed.model";
  static final String MANIFESTS_PROPERTY = "sparkembed.manifests";
  static final String EMBEDDINGS = "embeddings";
  static final String REJECTED = "rejected";
  static final String MANIFESTS = "manifests";

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

  /** The format a path identifier names ({@code delta.`/path`}), or null for other names. */
  TableFormat pathFormat() {
    return isPathIdentifier() ? TableFormat.ofProvider(parts.get(0)) : null;
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
    try {
      return spark.catalog().tableExists(quoted());
    } catch (Exception e) {
      // Delta answers a path that holds no table by failing, not with false
      if (isPathIdentifier() && e instanceof AnalysisException) {
        return false;
      }
      throw e;
    }
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
   * Runs one MERGE INTO this table from {@code source}: {@code ON condition} then {@code clauses},
   * the target aliased {@code t} and the source {@code s}.
   */
  void merge(Dataset<Row> source, String condition, String clauses) {
    String view = "sparkembed_merge_" + UUID.randomUUID().toString().replace('-', '_');
    source.createOrReplaceTempView(view);
    try {
      spark.sql(
          "MERGE INTO " + quoted() + " t USING " + view + " s ON " + condition + " " + clauses);
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /**
   * Writes {@code rows} as this table, its columns and {@code properties} included, the rows in one
   * transaction: a new table by CREATE TABLE AS SELECT, an existing one as its format replaces it.
   */
  void write(Dataset<Row> rows, TableFormat format, Map<String, String> properties) {
    if (exists()) {
      format.replace(this, rows, properties);
      return;
    }
    try {
      writer(rows, format, properties).create();
    } catch (TableAlreadyExistsException e) {
      throw new IllegalStateException("Table " + name + " was created by another writer", e);
    }
  }

  /** A CREATE [OR REPLACE] TABLE ... AS SELECT of {@code rows} with {@code properties}. */
  CreateTableWriter<Row> writer(
      Dataset<Row> rows, TableFormat format, Map<String, String> properties) {
    CreateTableWriter<Row> writer = rows.writeTo(quoted()).using(format.provider());
    for (Map.Entry<String, String> property : properties.entrySet()) {
      writer = writer.tableProperty(property.getKey(), property.getValue());
    }
    return writer;
  }

  /** Sets those of {@code properties} that the table lacks or has other values of. */
  void setProperties(Map<String, String> properties) {
    Map<String, String> current = properties();
    String changed =
        properties.entrySet().stream()
            .filter(p -> !p.getValue().equals(current.get(p.getKey())))
            .map(p -> literal(p.getKey()) + " = " + literal(p.getValue()))
            .collect(Collectors.joining(", "));
    if (!changed.isEmpty()) {
      spark.sql("ALTER TABLE " + quoted() + " SET TBLPROPERTIES (" + changed + ")");
    }
  }

  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Replaces every row of the table with {@code rows}, in one transaction. */
  void overwrite(Dataset<Row> rows, Map<String, String> options) {
    try {
      rows.writeTo(quoted()).options(options).overwrite(lit(true));
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("Table " + name + " was dropped by another writer", e);
    }
  }

  /**
   * The manifest of an embedding table sparkembed wrote, from the manifests table its {@value
   * #MANIFESTS_PROPERTY} property names, for a reader such as export.
   */
  public Manifest requireManifest(String option) {
    if (!exists()) {
      throw new UserError("Cannot use " + option + " " + name + ": there is no such table");
    }
    checkWrittenBySparkembed(EMBEDDINGS, option + " " + name);
    Map<String, String> properties = properties();
    String model = properties.get(MODEL_PROPERTY);
    String manifests = properties.get(MANIFESTS_PROPERTY);
    Manifest manifest =
        model == null || manifests == null
            ? null
            : new ManifestTable(spark, named(spark, manifests, MANIFESTS_PROPERTY)).read(model);
    if (manifest == null) {
      throw new UserError(
          "Cannot use "
              + option
              + " "
              + name
              + ": its manifest is not in the table "
              + manifests
              + " that its "
              + MANIFESTS_PROPERTY
              + " property names");
    }
    return manifest;
  }
}
