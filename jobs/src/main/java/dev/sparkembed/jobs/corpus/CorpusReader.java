package dev.sparkembed.jobs.corpus;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads a corpus with Spark's own readers and checks it has the columns the job needs. */
public final class CorpusReader {

  /** Spark's column for lines it could not parse (JSON Lines). */
  public static final String CORRUPT_RECORD = "_corrupt_record";

  private CorpusReader() {}

  public static Dataset<Row> read(SparkSession spark, CorpusSource source) {
    InputFormat format = resolveFormat(spark, source);
    Dataset<Row> corpus;
    try {
      corpus =
          switch (format) {
            case JSONL ->
                spark
                    .read()
                    .option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
                    .json(source.input());
            case PARQUET -> spark.read().parquet(source.input());
            case CSV ->
                spark
                    .read()
                    .option("header", "true")
                    .option("multiLine", "true")
                    .option("escape", "\"")
                    .option("mode", "PERMISSIVE")
                    .csv(source.input());
            case TABLE -> spark.table(source.input());
            case AUTO -> throw new IllegalStateException("format was resolved above");
          };
    } catch (Exception e) {
      throw new UserError(
          String.format(
              "Cannot read --input %s as %s: %s",
              source.input(), format.name().toLowerCase(), Messages.firstLine(e.getMessage())),
          e);
    }
    checkColumns(corpus, source);
    return corpus;
  }

  private static void checkColumns(Dataset<Row> corpus, CorpusSource source) {
    List<String> found = Arrays.asList(corpus.columns());
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
