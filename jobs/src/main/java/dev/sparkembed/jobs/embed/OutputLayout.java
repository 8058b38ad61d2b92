package dev.sparkembed.jobs.embed;

import dev.sparkembed.jobs.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The output folder: one table per model, {@code _rejected/}, and {@code _staging/} where tables
 * are written before they are committed by a rename. Names starting with {@code _} are skipped by
 * Parquet readers of the folder.
 */
public final class OutputLayout {

  public static final String REJECTED = "_rejected";
  public static final String STAGING = "_staging";
  public static final String MANIFEST = "_manifest.json";

  private final Path root;
  private final FileSystem fs;

  private OutputLayout(Path root, FileSystem fs) {
    this.root = root;
    this.fs = fs;
  }

  public static OutputLayout of(SparkSession spark, String output) {
    try {
      Path path = new Path(output);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return new OutputLayout(fs.makeQualified(path), fs);
    } catch (IOException e) {
      throw new UserError("Cannot use --output " + output + ": " + e.getMessage(), e);
    }
  }

  /** Stops the run before any work when the output holds something and mode is error. */
  public void checkWritable(OutputMode mode) {
    try {
      if (!fs.exists(root)) {
        return;
      }
      if (!fs.getFileStatus(root).isDirectory()) {
        throw new UserError("Cannot use --output " + root + ": it is a file, not a folder");
      }
      FileStatus[] children = fs.listStatus(root);
      if (mode == OutputMode.ERROR && children.length > 0) {
        throw new UserError(
            "Output "
                + root
                + " already exists and is not empty; choose another --output, or pass --mode"
                + " overwrite to replace its tables, --mode update to add what changed or --mode"
                + " resume to finish a run that was stopped");
      }
    } catch (IOException e) {
      throw new UserError("Cannot use --output " + root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  public Path table(String model) {
    return new Path(root, model);
  }

  public Path rejected() {
    return new Path(root, REJECTED);
  }

  public Path staging(String runId, String name) {
    return new Path(new Path(new Path(root, STAGING), runId), name);
  }

  /** Replaces {@code target} with the finished {@code staged} folder. */
  public void commit(Path staged, Path target) {
    try {
      if (fs.exists(target) && !fs.delete(target, true)) {
        throw new IOException("cannot delete the previous " + target);
      }
      fs.mkdirs(target.getParent());
      if (!fs.rename(staged, target)) {
        throw new IOException("rename of " + staged + " to " + target + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit " + target, e);
    }
  }

  public void writeFile(Path file, byte[] content) {
    try (OutputStream out = fs.create(file, true)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /**
   * Deletes this run's staging, and what killed runs left there (a model's slices stay until its
   * table is committed: {@link SliceStore}).
   */
  public void deleteStaging(String runId) {
    try {
      Path staging = new Path(root, STAGING);
      fs.delete(new Path(staging, runId), true);
      if (fs.exists(staging)) {
        for (FileStatus child : fs.listStatus(staging)) {
          if (!child.getPath().getName().startsWith(SliceStore.PREFIX)) {
            fs.delete(child.getPath(), true);
          }
        }
      }
      if (fs.exists(staging) && fs.listStatus(staging).length == 0) {
        fs.delete(staging, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clean " + STAGING, e);
    }
  }
}
