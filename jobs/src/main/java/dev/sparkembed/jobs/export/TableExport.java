package dev.sparkembed.jobs.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.embed.CatalogTable;
import dev.sparkembed.jobs.embed.Manifest;
import dev.sparkembed.udfs.model.ClusterStorage;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Exports an embedding table to files research code loads: JSON Lines, or a NumPy matrix with its
 * keys, each with {@code metadata.json} from the table's manifest. The rows are sorted by key and
 * written by the executors in parallel as part files, which the driver then joins in order by
 * streaming their bytes: no row passes through the driver's memory, so a table of millions of rows
 * exports with the driver's default memory. Each file is written under a temporary name and renamed
 * when whole; {@code metadata.json} comes last.
 */
public final class TableExport {

  static final String METADATA = "metadata.json";
  static final String JSONL_FILE = "embeddings.jsonl";
  static final String NPY_FILE = "embeddings.npy";
  static final String KEYS_FILE = "keys.jsonl";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /** What an export wrote. */
  public record Result(String folder, long rows, int dimension, List<String> files) {}

  private final SparkSession spark;
  private final String table;
  private final Dataset<Row> rows;
  private final Manifest manifest;
  private final Path output;
  private final FileSystem fs;

  private TableExport(
      SparkSession spark,
      String table,
      Dataset<Row> rows,
      Manifest manifest,
      Path output,
      FileSystem fs) {
    this.spark = spark;
    this.table = table;
    this.rows = rows;
    this.manifest = manifest;
    this.output = output;
    this.fs = fs;
  }

  /**
   * An export of a model's folder of an embed run's --output, checked with the output before any
   * work.
   *
   * @param overwrite replace what the output folder holds
   */
  public static TableExport of(SparkSession spark, String table, String output, boolean overwrite) {
    Manifest manifest = Manifest.read(spark, new Path(table));
    if (manifest == null) {
      throw new UserError(
          "Cannot export --table "
              + table
              + ": it has no "
              + "_manifest.json, so it is not a table sparkembed wrote (name the model's folder,"
              + " e.g. OUT/all-minilm-l6-v2)");
    }
    return of(spark, table, spark.read().parquet(table), manifest, output, overwrite);
  }

  /**
   * An export of a catalog table an embed run's --output-table wrote, checked with the output
   * before any work.
   */
  public static TableExport ofCatalogTable(
      SparkSession spark, String name, String output, boolean overwrite) {
    CatalogTable table = CatalogTable.named(spark, name, "--catalog-table");
    Manifest manifest = table.requireManifest("--catalog-table");
    return of(spark, table.name(), table.rows(), manifest, output, overwrite);
  }

  private static TableExport of(
      SparkSession spark,
      String table,
      Dataset<Row> rows,
      Manifest manifest,
      String output,
      boolean overwrite) {
    try {
      Path out = new Path(output);
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      out = fs.makeQualified(out);
      if (fs.exists(out)) {
        if (!fs.getFileStatus(out).isDirectory()) {
          throw new UserError("Cannot export to --output " + out + ": it is a file, not a folder");
        }
        if (fs.listStatus(out).length > 0) {
          if (!overwrite) {
            throw new UserError(
                "Cannot export to --output "
                    + out
                    + ": the folder is not empty; choose another, or pass --overwrite");
          }
          fs.delete(out, true);
        }
      }
      if (!fs.mkdirs(out)) {
        throw new IOException("the folder cannot be created");
      }
      // the files are for other programs: no .crc files beside them on a local disk
      FileSystem files = fs instanceof ChecksumFileSystem checked ? checked.getRawFileSystem() : fs;
      return new TableExport(spark, table, rows, manifest, out, files);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("Cannot export to --output " + output + ": " + e.getMessage(), e);
    }
  }

  public Result run(ExportFormat format) {
    Dataset<Row> sorted =
        rows.select(
                EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX, EmbeddingTable.EMBEDDING)
            .orderBy(EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX);
    Path parts = new Path(output, "_parts-" + UUID.randomUUID());
    spark
        .sparkContext()
        .setJobGroup(
            "sparkembed-export",
            "Exporting " + manifest.displayName() + " to " + format.name().toLowerCase(Locale.ROOT),
            false);
    try {
      Result result =
          switch (format) {
            case JSONL -> jsonLines(sorted, parts);
            case NPY -> npy(sorted, parts);
          };
      writeMetadata(format, result);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot export to " + output, e);
    } finally {
      spark.sparkContext().clearJobGroup();
      try {
        fs.delete(parts, true);
      } catch (IOException e) {
        // a leftover parts folder is only untidy: its name starts with _
      }
    }
  }

  private Result jsonLines(Dataset<Row> sorted, Path parts) throws IOException {
    sorted
        .select(
            to_json(
                struct(
                    col(EmbeddingTable.PAPER_ID),
                    col(EmbeddingTable.PARAGRAPH_INDEX),
                    col(EmbeddingTable.EMBEDDING),
                    lit(manifest.model()).as("model"))))
        .write()
        .text(parts.toString());
    long count = rows.count();
    join(null, partFiles(parts, ".txt"), JSONL_FILE);
    return new Result(
        output.toString(), count, manifest.dimension(), List.of(JSONL_FILE, METADATA));
  }

  private Result npy(Dataset<Row> sorted, Path parts) throws IOException {
    List<long[]> written =
        sorted
            .javaRDD()
            .mapPartitionsWithIndex(
                new NpyPartWriter(ClusterStorage.ship(), parts.toString(), manifest.dimension()),
                true)
            .collect();
    long count = written.stream().mapToLong(w -> w[1]).sum();
    join(
        NpyHeader.float32Matrix(count, manifest.dimension()),
        partFiles(parts, NpyPartWriter.VECTORS),
        NPY_FILE);
    join(null, partFiles(parts, NpyPartWriter.KEYS), KEYS_FILE);
    return new Result(
        output.toString(), count, manifest.dimension(), List.of(NPY_FILE, KEYS_FILE, METADATA));
  }

  /** The part files ending in {@code suffix}, in partition order (their names sort so). */
  private List<Path> partFiles(Path parts, String suffix) throws IOException {
    List<Path> found = new ArrayList<>();
    for (FileStatus status : fs.listStatus(parts)) {
      String name = status.getPath().getName();
      if (status.isFile() && name.startsWith("part-") && name.endsWith(suffix)) {
        found.add(status.getPath());
      }
    }
    found.sort(Comparator.comparing(Path::getName));
    return found;
  }

  /** Streams {@code header} and then every part into {@code name}, renamed in when whole. */
  private void join(byte[] header, List<Path> parts, String name) throws IOException {
    Path writing = new Path(output, "_writing-" + name);
    try (OutputStream out = fs.create(writing, true)) {
      if (header != null) {
        out.write(header);
      }
      for (Path part : parts) {
        try (InputStream in = fs.open(part)) {
          IOUtils.copyBytes(in, out, 1 << 16, false);
        }
      }
    }
    Path target = new Path(output, name);
    fs.delete(target, false);
    if (!fs.rename(writing, target)) {
      throw new IOException("rename of " + writing + " to " + target + " failed");
    }
  }

  private void writeMetadata(ExportFormat format, Result result) throws IOException {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("model", manifest.model());
    metadata.put("display_name", manifest.displayName());
    metadata.put("fingerprint", manifest.fingerprint());
    metadata.put("dimension", manifest.dimension());
    metadata.put("normalize", manifest.normalize());
    metadata.put("pooling", manifest.pooling());
    metadata.put("max_length", manifest.maxLength());
    metadata.put("rows", result.rows());
    metadata.put("seconds", manifest.seconds());
    metadata.put("tokens_per_s", manifest.tokensPerS());
    metadata.put("batch_size", manifest.batch().maxRows());
    metadata.put("batch", manifest.batch());
    metadata.put("table", table);
    metadata.put("table_created_at", manifest.createdAt());
    metadata.put("format", format.name().toLowerCase(Locale.ROOT));
    metadata.put(
        "files", Arrays.asList(result.files().stream().filter(f -> !f.equals(METADATA)).toArray()));
    metadata.put("order", "paper_id, paragraph_index ascending");
    metadata.put("exported_at", Instant.now().toString());
    try (OutputStream out = fs.create(new Path(output, METADATA), true)) {
      out.write(JSON.writeValueAsBytes(metadata));
    }
  }
}
