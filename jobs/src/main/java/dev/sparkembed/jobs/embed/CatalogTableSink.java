package dev.sparkembed.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import dev.sparkembed.jobs.UserError;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Catalog tables (Delta Lake, Iceberg) written through Spark's table APIs: one table per model,
 * named by {@link TableOutput#pattern()}, one of rejected rows and one of the models' manifests
 * ({@link ManifestTable}). Rows are staged as Parquet in a work folder, which also holds the resume
 * slices and the writer's lease ({@link OutputLock}), since a catalog has no place for them.
 *
 * <p>A model's commit is one transaction on its table: CREATE OR REPLACE or, in update and resume
 * modes on an existing table, a MERGE that writes only new and changed rows and deletes the keys
 * the staged table no longer has; then its manifest's row is recorded. A journal ({@code
 * _staging/_table-commits/}) written first names the staged rows; a killed run's next run replays
 * it, which is safe because a MERGE of the same rows changes nothing the second time.
 */
final class CatalogTableSink implements EmbeddingSink {

  static final String OPTION = "--output-table";
  static final String MODEL_PLACEHOLDER = "{model}";

  /** The Vector Search key: {@code <paper_id>#<paragraph_index>}. */
  static final String KEY_COLUMN = "paragraph_key";

  private static final String JOURNALS = "_table-commits";
  private static final String REJECTED_NAME = "_rejected";

  /**
   * A table commit in progress: the Parquet folder {@code staged} becomes table {@code table},
   * merged or replaced, then {@code manifest} (JSON; null for rejected rows) recorded as the one of
   * model {@code name}; {@code cleanup} is deleted once it is in.
   */
  record Journal(
      String runId,
      String name,
      String staged,
      String table,
      String content,
      boolean merge,
      boolean keyColumn,
      String manifest,
      List<String> cleanup) {}

  private final SparkSession spark;
  private final TableOutput options;
  private final Map<String, CatalogTable> tables = new LinkedHashMap<>();
  private final CatalogTable rejected;
  private final ManifestTable manifests;
  private final OutputLayout work;
  private final CommitJournals<Journal> journals;
  private TableFormat format;
  private OutputMode mode;

  CatalogTableSink(SparkSession spark, TableOutput options, List<ModelSpec> models) {
    this.spark = spark;
    this.options = options;
    for (ModelSpec spec : models) {
      tables.put(
          spec.name(),
          CatalogTable.named(spark, tableName(options.pattern(), spec.name()), OPTION));
    }
    this.rejected =
        CatalogTable.named(spark, tableName(options.pattern(), CatalogTable.REJECTED), OPTION);
    this.manifests =
        new ManifestTable(
            spark,
            CatalogTable.named(
                spark, tableName(options.pattern(), CatalogTable.MANIFESTS), OPTION));
    this.work = OutputLayout.of(spark, workDir(spark, options));
    this.journals =
        new CommitJournals<>(
            work.fileSystem(),
            new Path(new Path(work.root(), OutputLayout.STAGING), JOURNALS),
            Journal.class);
  }

  /**
   * The table of {@code model}: the pattern with {@code {model}} replaced by the model's name in
   * lower case, each character other than a letter, digit or underscore made an underscore; a
   * pattern without {@code {model}} gets {@code _<model>} appended.
   */
  static String tableName(String pattern, String model) {
    String identifier = model.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return pattern.contains(MODEL_PLACEHOLDER)
        ? pattern.replace(MODEL_PLACEHOLDER, identifier)
        : pattern + "_" + identifier;
  }

  /** {@code --work-dir}, or {@code <spark.sql.warehouse.dir>/_sparkembed/<pattern>}. */
  static String workDir(SparkSession spark, TableOutput options) {
    if (options.workDir() != null) {
      return options.workDir();
    }
    return spark.conf().get("spark.sql.warehouse.dir")
        + "/_sparkembed/"
        + options.pattern().replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private List<CatalogTable> allTables() {
    List<CatalogTable> all = new ArrayList<>(tables.values());
    all.add(rejected);
    all.add(manifests.table());
    return all;
  }

  @Override
  public void checkUsable() {
    Set<String> names = new HashSet<>();
    for (CatalogTable table : allTables()) {
      if (!names.add(table.name().toLowerCase(Locale.ROOT))) {
        throw new UserError(
            "Cannot use "
                + OPTION
                + " "
                + options.pattern()
                + ": two tables of this run would both be "
                + table.name()
                + "; put "
                + MODEL_PLACEHOLDER
                + " where the model's name goes");
      }
      table.checkResolvable(OPTION);
    }
    format = resolveFormat();
    if (!format.available()) {
      throw new UserError(
          "Cannot write "
              + format.provider()
              + " tables: the session has no "
              + format.library()
              + " on its classpath (add it with --packages, see the README)");
    }
    if (options.vectorSearch() && format != TableFormat.DELTA) {
      throw new UserError(
          "Cannot set --vector-search for "
              + format.provider()
              + " tables: Databricks Vector Search syncs from Delta tables");
    }
    for (Map.Entry<String, CatalogTable> table : tables.entrySet()) {
      if (table.getValue().exists()) {
        table.getValue().checkWrittenBySparkembed(CatalogTable.EMBEDDINGS, OPTION);
      }
    }
    if (rejected.exists()) {
      rejected.checkWrittenBySparkembed(CatalogTable.REJECTED, OPTION);
    }
    if (manifests.table().exists()) {
      manifests.table().checkWrittenBySparkembed(CatalogTable.MANIFESTS, OPTION);
    }
    work.checkUsable();
  }

  /**
   * The format of the tables: {@code --table-format}, else the one a path name or an existing table
   * has, else an Iceberg catalog's, else the session's default data source; one that cannot MERGE
   * stops the run.
   */
  private TableFormat resolveFormat() {
    TableFormat chosen = null;
    if (options.format() != null) {
      chosen = TableFormat.ofProvider(options.format());
      if (chosen == null) {
        throw new UserError(
            "Cannot set --table-format to "
                + options.format()
                + ": sparkembed writes delta or iceberg tables (formats whose tables MERGE)");
      }
    }
    for (CatalogTable table : allTables()) {
      TableFormat byPath = table.pathFormat();
      if (byPath != null && chosen != null && byPath != chosen) {
        throw new UserError(
            "Cannot use " + OPTION + " " + table.name() + " for " + chosen.provider() + " tables");
      }
      chosen = byPath == null ? chosen : byPath;
      if (!table.exists()) {
        continue;
      }
      String provider = table.provider();
      TableFormat found = TableFormat.ofProvider(provider);
      if (found == null || (chosen != null && found != chosen)) {
        throw new UserError(
            "Cannot use "
                + OPTION
                + ": table "
                + table.name()
                + " is a "
                + provider
                + " table"
                + (found == null
                    ? ", which cannot MERGE; sparkembed writes delta or iceberg tables"
                    : ", not " + chosen.provider())
                + "; drop it or choose another name");
      }
      chosen = found;
    }
    if (chosen != null) {
      return chosen;
    }
    String catalog = rejected.catalog();
    if (catalog == null) {
      catalog = spark.catalog().currentCatalog();
    }
    String implementation = spark.conf().get("spark.sql.catalog." + catalog, "");
    if (implementation.toLowerCase(Locale.ROOT).contains("iceberg")) {
      return TableFormat.ICEBERG;
    }
    String source = spark.conf().get("spark.sql.sources.default", "parquet");
    TableFormat byDefault = TableFormat.ofProvider(source);
    if (byDefault == null) {
      throw new UserError(
          "Cannot use "
              + OPTION
              + " "
              + options.pattern()
              + ": catalog "
              + catalog
              + " would create "
              + source
              + " tables, which cannot MERGE; pass --table-format delta or --table-format iceberg");
    }
    return byDefault;
  }

  @Override
  public OutputLayout work() {
    return work;
  }

  @Override
  public void prepare(OutputMode mode, PrintStream log) {
    this.mode = mode;
    for (CatalogTable table : allTables()) {
      if (mode == OutputMode.ERROR && table.exists()) {
        throw new UserError(
            "Table "
                + table.name()
                + " already exists; choose another "
                + OPTION
                + ", or pass --mode overwrite to replace its tables, --mode update to add what"
                + " changed or --mode resume to finish a run that was stopped");
      }
    }
    if (mode == OutputMode.UPDATE || mode == OutputMode.RESUME) {
      for (CatalogTable table : tables.values()) {
        boolean keyed =
            table.exists() && Arrays.asList(table.rows().columns()).contains(KEY_COLUMN);
        if (table.exists() && keyed != options.vectorSearch()) {
          throw new UserError(
              "Cannot "
                  + (keyed ? "leave out" : "add")
                  + " --vector-search in --mode "
                  + mode.name().toLowerCase(Locale.ROOT)
                  + ": table "
                  + table.name()
                  + (keyed ? " has" : " has no")
                  + " the "
                  + KEY_COLUMN
                  + " column; pass --mode overwrite to rebuild it");
        }
      }
    }
    recover(log);
  }

  @Override
  public String table(String model) {
    return tables.get(model).name();
  }

  @Override
  public String rejectedTable() {
    return rejected.name();
  }

  @Override
  public Manifest manifest(String model) {
    return tables.get(model).exists() ? manifests.read(model) : null;
  }

  @Override
  public Dataset<Row> rows(String model) {
    return tables.get(model).rows().select(IncrementalPlan.outputColumns());
  }

  @Override
  public void commitRejected(OutputLock lock, Path staged) {
    apply(lock, REJECTED_NAME, rejected, CatalogTable.REJECTED, staged, null);
  }

  @Override
  public void commit(
      OutputLock lock, String model, Path staged, Manifest manifest, Path... cleanup) {
    apply(lock, model, tables.get(model), CatalogTable.EMBEDDINGS, staged, manifest, cleanup);
  }

  private void apply(
      OutputLock lock,
      String name,
      CatalogTable table,
      String content,
      Path staged,
      Manifest manifest,
      Path... cleanup) {
    lock.checkHeld();
    boolean embeddings = CatalogTable.EMBEDDINGS.equals(content);
    Journal journal =
        new Journal(
            lock.runId(),
            name,
            staged.toString(),
            table.name(),
            content,
            embeddings
                && (mode == OutputMode.UPDATE || mode == OutputMode.RESUME)
                && table.exists(),
            embeddings && options.vectorSearch(),
            manifest == null ? null : new String(manifest.toJson(), StandardCharsets.UTF_8),
            Arrays.stream(cleanup).map(Path::toString).toList());
    String file = name.toLowerCase(Locale.ROOT);
    try {
      journals.write(file, journal);
      CrashPoint.reached("commit-journal-written", name);
      try {
        finish(journal);
      } finally {
        journals.delete(file); // finished, or failed as one transaction: nothing to replay
      }
      CrashPoint.reached("commit-done", name);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit " + table.name(), e);
    }
  }

  /** The table transaction of a journal, then its cleanup. */
  private void finish(Journal journal) throws IOException {
    FileSystem fs = work.fileSystem();
    CatalogTable table = CatalogTable.named(spark, journal.table(), OPTION);
    if (fs.exists(new Path(journal.staged()))) {
      Dataset<Row> rows = spark.read().parquet(journal.staged());
      if (journal.keyColumn()) {
        rows =
            rows.withColumn(
                KEY_COLUMN,
                concat(
                    col(EmbeddingTable.PAPER_ID),
                    lit("#"),
                    col(EmbeddingTable.PARAGRAPH_INDEX).cast("string")));
      }
      if (journal.merge()) {
        merge(table, rows);
      } else {
        replace(table, rows, journal);
      }
      if (journal.manifest() != null) {
        CrashPoint.reached("commit-table-written", journal.name());
        manifests.record(journal.name(), journal.table(), journal.manifest(), format);
      }
    }
    for (String path : journal.cleanup()) {
      fs.delete(new Path(path), true);
    }
  }

  /** The rows and the properties, the rows in a single transaction ({@link CatalogTable#write}). */
  private void replace(CatalogTable table, Dataset<Row> rows, Journal journal) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(CatalogTable.CONTENT_PROPERTY, journal.content());
    properties.putAll(format.createProperties(journal.keyColumn()));
    if (journal.manifest() != null) {
      properties.put(CatalogTable.MODEL_PROPERTY, journal.name());
      properties.put(CatalogTable.MANIFESTS_PROPERTY, manifests.table().name());
    }
    table.write(rows, format, properties);
  }

  /**
   * One MERGE that leaves the table equal to {@code rows}: keys whose row differs in any column are
   * updated, new keys inserted, keys {@code rows} lacks deleted; equal rows are not written.
   */
  private void merge(CatalogTable table, Dataset<Row> rows) {
    String same =
        Arrays.stream(rows.columns())
            .filter(
                c ->
                    !c.equals(EmbeddingTable.PAPER_ID) && !c.equals(EmbeddingTable.PARAGRAPH_INDEX))
            .map(c -> "t.`" + c + "` <=> s.`" + c + "`")
            .collect(Collectors.joining(" AND "));
    table.merge(
        rows,
        String.format(
            Locale.ROOT,
            "t.`%1$s` = s.`%1$s` AND t.`%2$s` = s.`%2$s`",
            EmbeddingTable.PAPER_ID,
            EmbeddingTable.PARAGRAPH_INDEX),
        "WHEN MATCHED AND NOT ("
            + same
            + ") THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
            + " WHEN NOT MATCHED BY SOURCE THEN DELETE");
  }

  /** Replays the table commits a killed run left (found by their journals), before any work. */
  private void recover(PrintStream log) {
    try {
      journals.replay(
          this::finish,
          journal ->
              log.printf(
                  "sparkembed: finished the commit of %s that run %s began before it stopped%n",
                  journal.table(), journal.runId()));
    } catch (IOException | RuntimeException e) {
      throw new UserError(
          "Cannot finish the table commit a stopped run left in "
              + journals.folder()
              + ": "
              + e.getMessage()
              + "; fix what the message names, or delete the journal and run with --mode"
              + " overwrite",
          e);
    }
  }
}
