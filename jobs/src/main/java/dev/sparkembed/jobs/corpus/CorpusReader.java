package dev.sparkembed.jobs.corpus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Reads a corpus with Spark's own readers and checks it has the columns the job needs. */
public final class CorpusReader {

  /** The line as read, for lines that could not be parsed (JSON Lines). */
  public static final String CORRUPT_RECORD = "_corrupt_record";

  /** Why a row cannot be embedded, found while reading it; null when nothing was. */
  public static final String READ_PROBLEM = "_se_read_problem";

  private static final String EXTRA_FIELD = "_se_extra_field";

  private CorpusReader() {}

  public static Dataset<Row> read(SparkSession spark, CorpusSource source) {
    InputFormat format = resolveFormat(spark, source);
    Dataset<Row> corpus;
    try {
      corpus =
          switch (format) {
            case JSONL -> JsonLinesReader.read(spark, source);
            case PARQUET -> spark.read().parquet(source.input());
            case CSV -> csv(spark, source);
            case TABLE -> spark.table(source.input());
            case AUTO -> throw new IllegalStateException("format was resolved above");
          };
    } catch (UserError e) {
      throw e;
    } catch (Exception e) {
      throw new UserError(
          String.format(
              "Cannot read --input %s as %s: %s",
              source.input(), format.name().toLowerCase(), Messages.rootMessage(e)),
          e);
    }
    checkColumns(corpus, source);
    return corpus;
  }

  /**
   * Reads a CSV file with its header's columns and one more, so that a row with more fields than
   * the header is seen (Spark's reader drops the extra fields without a word) and rejected.
   */
  private static Dataset<Row> csv(SparkSession spark, CorpusSource source) {
    StructType header = csvReader(spark).csv(source.input()).schema();
    Dataset<Row> rows =
        csvReader(spark).schema(header.add(EXTRA_FIELD, DataTypes.StringType)).csv(source.input());
    Column problem =
        when(
            col(EXTRA_FIELD).isNotNull(),
            concat(
                lit("has more fields than the header's " + (header.size()) + "; the first extra: "),
                substring(col(EXTRA_FIELD), 1, 80)));
    return rows.withColumn(READ_PROBLEM, problem).drop(EXTRA_FIELD);
  }

  private static DataFrameReader csvReader(SparkSession spark) {
    return spark
        .read()
        .option("header", "true")
        .option("multiLine", "true")
        .option("escape", "\"")
        .option("mode", "PERMISSIVE");
  }

  private static void checkColumns(Dataset<Row> corpus, CorpusSource source) {
    checkColumns(
        Arrays.stream(corpus.columns()).filter(c -> !c.equals(READ_PROBLEM)).toList(), source);
  }

  /**
   * Stops before any work when a column the job reads is not among {@code found}, listing them (or
   * saying the input is empty).
   */
  static void checkColumns(List<String> found, CorpusSource source) {
    List<String> missing = new ArrayList<>();
    String[][] required = {
      {source.idColumn(), "--id-column"},
      {source.indexColumn(), "--index-column"},
      {source.textColumn(), "--text-column"}
    };
    for (String[] column : required) {
      if (!found.contains(column[0])) {
        missing.add("'" + column[0] + "' (set " + column[1] + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new UserError(
          String.format(
              "Input %s has no column %s; columns found: %s",
              source.input(),
              String.join(", no column ", missing),
              found.isEmpty() ? "none (is the input empty?)" : String.join(", ", found)));
    }
  }

  /** The format the input is read as: the one asked for, or the one its file names say. */
  public static InputFormat resolveFormat(SparkSession spark, CorpusSource source) {
    if (source.format() == InputFormat.TABLE) {
      if (!spark.catalog().tableExists(source.input())) {
        throw new UserError(
            "Cannot read --input " + source.input() + ": no such table in the Spark catalog");
      }
      return InputFormat.TABLE;
    }
    FileStatus[] matches;
    try {
      Path path = new Path(source.input());
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new UserError(
            "Cannot read --input "
                + source.input()
                + ": no such file or directory (for a catalog table, pass --format table)");
      }
      if (source.format() != InputFormat.AUTO) {
        return source.format();
      }
      for (FileStatus match : matches) {
        InputFormat byName = formatOf(fs, match);
        if (byName != null) {
          return byName;
        }
      }
    } catch (IOException e) {
      throw new UserError("Cannot read --input " + source.input() + ": " + e.getMessage(), e);
    }
    throw new UserError(
        "Cannot tell the format of --input "
            + source.input()
            + " from its file names; pass --format jsonl, parquet, csv or table");
  }

  private static InputFormat formatOf(FileSystem fs, FileStatus status) throws IOException {
    if (!status.isDirectory()) {
      return InputFormat.fromFileName(status.getPath().getName());
    }
    for (FileStatus child : fs.listStatus(status.getPath())) {
      String name = child.getPath().getName();
      if (child.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
        InputFormat byName = InputFormat.fromFileName(name);
        if (byName != null) {
          return byName;
        }
      }
    }
    return null;
  }
}
