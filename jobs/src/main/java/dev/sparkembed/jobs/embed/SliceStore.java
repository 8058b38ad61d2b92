package dev.sparkembed.jobs.embed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sparkembed.udfs.embed.LongText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A model's embedded rows that are not in its table yet, kept where readers do not look ({@code
 * _staging/slices-<model>/}) so that a killed run loses at most the slice it was writing. Each
 * slice is written to a {@code _writing-} folder and renamed when complete; {@code _run.json}
 * records what the slices were made with, so {@code --mode resume} only reuses slices that fit.
 */
final class SliceStore {

  static final String PREFIX = "slices-";
  private static final String RUN_FILE = "_run.json";
  private static final String SLICE = "slice-";
  private static final ObjectMapper JSON =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  /**
   * What the slices were made with: resumable only by a run with the same.
   *
   * @param keepsTable the run keeps the rows of the table it found (update), rather than writing
   *     the input's rows alone (overwrite)
   * @param deleteMissing with {@code keepsTable}: keys gone from the input are dropped
   */
  record Recorded(
      String fingerprint, LongText longText, boolean keepsTable, boolean deleteMissing) {

    boolean fits(Recorded other) {
      return other != null
          && fingerprint.equals(other.fingerprint)
          && longText.equals(other.longText);
    }
  }

  private final Path root;
  private final FileSystem fs;

  private SliceStore(Path root, FileSystem fs) {
    this.root = root;
    this.fs = fs;
  }

  static SliceStore of(SparkSession spark, OutputLayout output, String model) {
    Path root =
        new Path(
            new Path(output.root(), OutputLayout.STAGING),
            "slices-" + model.toLowerCase(Locale.ROOT));
    try {
      return new SliceStore(root, root.getFileSystem(spark.sparkContext().hadoopConfiguration()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot use " + root, e);
    }
  }

  /** What the slices here were made with, or null when there are none. */
  Recorded recorded() {
    Path file = new Path(root, RUN_FILE);
    try {
      if (!fs.exists(file)) {
        return null;
      }
      try (InputStream in = fs.open(file)) {
        return JSON.readValue(in, Recorded.class);
      }
    } catch (IOException e) {
      return null; // written by another version, or cut short: its slices cannot be trusted
    }
  }

  /** Starts a run's slices: records what they are made with, beside any that fit it. */
  void open(Recorded run) {
    try {
      fs.mkdirs(root);
      try (OutputStream out = fs.create(new Path(root, RUN_FILE), true)) {
        out.write(JSON.writeValueAsBytes(run));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + new Path(root, RUN_FILE), e);
    }
  }

  /** Where slice {@code index} of run {@code runId} is written before it is committed. */
  Path writing(String runId, int index) {
    return new Path(root, String.format(Locale.ROOT, "_writing-%s-%05d", runId, index));
  }

  void commit(OutputLock lock, String runId, int index) {
    lock.checkHeld();
    Path done = new Path(root, String.format(Locale.ROOT, "%s%s-%05d", SLICE, runId, index));
    try {
      if (!fs.rename(writing(runId, index), done)) {
        throw new IOException("rename to " + done + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit slice " + done, e);
    }
    CrashPoint.reached("slice-committed", root.getName().substring(PREFIX.length()));
  }

  /** The folder of the slices, which the table's commit deletes. */
  Path root() {
    return root;
  }

  /** Committed slices, all runs, or only {@code runId}'s when it is not null. */
  private List<Path> slices(String runId) {
    List<Path> found = new ArrayList<>();
    try {
      if (!fs.exists(root)) {
        return found;
      }
      for (FileStatus child : fs.listStatus(root)) {
        String name = child.getPath().getName();
        if (child.isDirectory()
            && name.startsWith(SLICE)
            && (runId == null || name.startsWith(SLICE + runId + "-"))) {
          found.add(child.getPath());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + root, e);
    }
    return found;
  }

  /** The rows of the committed slices (of {@code runId} alone, when not null), or null. */
  Dataset<Row> read(SparkSession spark, String runId) {
    List<Path> found = slices(runId);
    if (found.isEmpty()) {
      return null;
    }
    return spark.read().parquet(found.stream().map(Path::toString).toArray(String[]::new));
  }

  /** The runs whose committed slices are here, oldest first. */
  List<String> runs() {
    LinkedHashSet<String> runs = new LinkedHashSet<>();
    for (Path slice : slices(null)) {
      String name = slice.getName().substring(SLICE.length());
      runs.add(name.substring(0, name.lastIndexOf('-')));
    }
    return runs.stream().sorted().toList();
  }

  void clear() {
    try {
      fs.delete(root, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + root, e);
    }
  }
}
