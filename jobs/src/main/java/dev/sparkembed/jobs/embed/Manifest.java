package dev.sparkembed.jobs.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelFiles;
import dev.sparkembed.udfs.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What a table is and how it was made, written as {@code _manifest.json} beside its Parquet files.
 */
public record Manifest(
    String model,
    String displayName,
    String source,
    String engine,
    String dtype,
    String fingerprint,
    int dimension,
    String pooling,
    boolean normalize,
    String passagePrefix,
    int maxLength,
    ModelFiles files,
    long rows,
    long tokens,
    long rowsTruncated,
    double seconds,
    double rowsPerS,
    double tokensPerS,
    BatchSettings batch,
    LongText longText,
    int partitions,
    Input input,
    IncrementalPlan.Changes changes,
    Versions versions,
    String runId,
    List<String> runs,
    String createdAt) {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /** The corpus the table was made from. */
  public record Input(
      String path, String format, long rowsRead, long rowsRejected, long identicalDuplicates) {}

  /** The software that made the table. */
  public record Versions(
      String sparkembed, String spark, String scala, String djl, String onnxruntime, String java) {}

  public static Manifest of(
      ModelSpec spec,
      TableStats stats,
      double seconds,
      BatchSettings batch,
      LongText longText,
      int partitions,
      Input input,
      IncrementalPlan.Changes changes,
      Versions versions,
      String runId,
      List<String> runs,
      String createdAt) {
    return new Manifest(
        spec.name(),
        spec.displayName(),
        spec.source(),
        spec.runtime().engine().configName(),
        spec.runtime().dtype().configName(),
        spec.fingerprint(),
        spec.head().dimension(),
        spec.head().pooling().configName(),
        spec.head().normalize(),
        spec.text().passagePrefix(),
        spec.text().maxLength(),
        spec.runtime().files(),
        stats.rows(),
        stats.tokens(),
        stats.truncated(),
        seconds,
        seconds > 0 ? stats.rows() / seconds : 0,
        seconds > 0 ? stats.tokens() / seconds : 0,
        batch,
        longText,
        partitions,
        input,
        changes,
        versions,
        runId,
        List.copyOf(runs),
        createdAt);
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsString(this).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Manifest fromJson(byte[] json) {
    try {
      return JSON.readValue(json, Manifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The manifest of the table at {@code table}, or null when there is none; a manifest that cannot
   * be read stops the run, since the table's rows cannot be trusted without it.
   */
  public static Manifest read(SparkSession spark, Path table) {
    Path file = new Path(table, OutputLayout.MANIFEST);
    try {
      FileSystem fs = table.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(file)) {
        return null;
      }
      try (InputStream in = fs.open(file)) {
        return fromJson(in.readAllBytes());
      }
    } catch (IOException | UncheckedIOException e) {
      throw new UserError(
          "Cannot read the manifest "
              + file
              + ": "
              + Messages.rootMessage(e)
              + "; restore the file, or pass --mode overwrite to rebuild the table",
          e);
    }
  }
}
