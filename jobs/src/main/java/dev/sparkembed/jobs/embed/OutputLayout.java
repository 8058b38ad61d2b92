package dev.sparkembed.jobs.embed;

import dev.sparkembed.jobs.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;
import org.apache.spark.sql.SparkSession;

/**
 * The output folder: one table per model, {@code _rejected/}, {@code _staging/} where tables are
 * written before they are committed, and the writer's lease ({@link OutputLock}). Names starting
 * with {@code _} are skipped by Parquet readers of the folder.
 *
 * <p>A commit replaces a table by renames recorded in a journal ({@code _staging/_commits/}),
 * written before the first rename: the previous table is moved aside, the new one moved in, then
 * the previous one and the journal deleted. Whenever a run dies in between, the journal says where
 * both tables are, and the next run of any mode finishes the commit before anything else ({@link
 * #recover}): at no instant is neither table complete and findable.
 */
public final class OutputLayout {

  public static final String REJECTED = "_rejected";
  public static final String STAGING = "_staging";
  public static final String MANIFEST = "_manifest.json";
  private static final String COMMITS = "_commits";

  /**
   * A commit in progress: {@code staged} becomes {@code target}; the previous target waits at
   * {@code aside}; {@code cleanup} is deleted once the new table is in place.
   */
  record Journal(String runId, String staged, String target, String aside, List<String> cleanup) {}

  private final Path root;
  private final FileSystem fs;
  private final CommitJournals<Journal> journals;

  private OutputLayout(Path root, FileSystem fs) {
    this.root = root;
    this.fs = fs;
    this.journals =
        new CommitJournals<>(fs, new Path(new Path(root, STAGING), COMMITS), Journal.class);
  }

  public static OutputLayout of(SparkSession spark, String output) {
    try {
      Path path = new Path(output);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return new OutputLayout(fs.makeQualified(path), fs);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("Cannot use --output " + output + ": " + e.getMessage(), e);
    }
  }

  FileSystem fileSystem() {
    return fs;
  }

  /**
   * Stops the run before any work when the output cannot be a folder: it, or a folder above it, is
   * a file.
   */
  public void checkUsable() {
    try {
      for (Path path = root; path != null; path = path.getParent()) {
        if (fs.exists(path)) {
          if (!fs.getFileStatus(path).isDirectory()) {
            throw new UserError(
                "Cannot use --output "
                    + root
                    + ": "
                    + (path.equals(root) ? "it" : path.toString())
                    + " is a file, not a folder; choose another --output");
          }
          return;
        }
      }
    } catch (IOException e) {
      throw new UserError(cannotWrite(root, e), e);
    }
  }

  /**
   * Stops the run before any work when the output holds something and mode is error (the lease this
   * run holds does not count).
   */
  public void checkWritable(OutputMode mode) {
    if (mode != OutputMode.ERROR) {
      return;
    }
    try {
      for (FileStatus child : fs.listStatus(root)) {
        String name = child.getPath().getName();
        if (!name.equals(OutputLock.FILE) && !name.startsWith("._lock-")) {
          throw new UserError(
              "Output "
                  + root
                  + " already exists and is not empty; choose another --output, or pass --mode"
                  + " overwrite to replace its tables, --mode update to add what changed or --mode"
                  + " resume to finish a run that was stopped");
        }
      }
    } catch (IOException e) {
      throw new UserError(cannotWrite(root, e), e);
    }
  }

  /** One line for an output that cannot be written, with what to do. */
  static String cannotWrite(Path folder, IOException e) {
    String why =
        e instanceof AccessDeniedException || e instanceof AccessControlException
            ? "permission denied"
            : e instanceof java.nio.file.FileSystemException
                ? "files cannot be created there"
                : e.getMessage();
    return "Cannot write to --output "
        + folder
        + ": "
        + why
        + "; choose a folder this job may create files in";
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

  /**
   * Replaces {@code target} with the finished {@code staged} folder, then deletes {@code cleanup}
   * (what the new table makes obsolete), under {@code lock}: a run that lost its lease stops here.
   */
  public void commit(OutputLock lock, Path staged, Path target, Path... cleanup) {
    lock.checkHeld();
    Path aside = staging(lock.runId(), "_previous-" + target.getName());
    Journal journal =
        new Journal(
            lock.runId(),
            staged.toString(),
            target.toString(),
            aside.toString(),
            java.util.Arrays.stream(cleanup).map(Path::toString).toList());
    try {
      journals.write(target.getName(), journal);
      CrashPoint.reached("commit-journal-written", target.getName());
      finish(journal);
      journals.delete(target.getName());
      CrashPoint.reached("commit-done", target.getName());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit " + target, e);
    }
  }

  /** The renames and deletes of a journal, from wherever a killed run left them. */
  private void finish(Journal journal) throws IOException {
    Path staged = new Path(journal.staged());
    Path target = new Path(journal.target());
    Path aside = new Path(journal.aside());
    if (fs.exists(staged)) {
      if (fs.exists(target)) {
        if (fs.exists(aside)) {
          throw new IOException(
              "both " + target + " and the previous table " + aside + " exist; keep one");
        }
        fs.mkdirs(aside.getParent());
        rename(target, aside);
        CrashPoint.reached("commit-previous-moved-aside", target.getName());
      }
      fs.mkdirs(target.getParent());
      rename(staged, target);
      CrashPoint.reached("commit-new-in-place", target.getName());
    }
    fs.delete(aside, true);
    CrashPoint.reached("commit-previous-deleted", target.getName());
    for (String path : journal.cleanup()) {
      fs.delete(new Path(path), true);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename of " + from + " to " + to + " failed");
    }
  }

  /**
   * Finishes the commits a killed run left half done (found by their journals), so that every table
   * is whole before this run reads or replaces it. Call under the lease, before any work.
   */
  public void recover(PrintStream log) {
    try {
      journals.replay(
          this::finish,
          journal ->
              log.printf(
                  "sparkembed: finished the commit of %s that run %s began before it stopped%n",
                  journal.target(), journal.runId()));
    } catch (IOException e) {
      throw new UserError(
          "Cannot finish the commit a stopped run left in "
              + journals.folder()
              + ": "
              + e.getMessage()
              + "; fix or remove what the message names and run again",
          e);
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
   * table is committed: {@link SliceStore}). Call once every commit of this run is done.
   */
  public void deleteStaging(String runId) {
    try {
      Path staging = new Path(root, STAGING);
      fs.delete(new Path(staging, runId), true);
      if (fs.exists(staging)) {
        for (FileStatus child : fs.listStatus(staging)) {
          String name = child.getPath().getName();
          if (!name.startsWith(SliceStore.PREFIX) && !name.equals(COMMITS)) {
            fs.delete(child.getPath(), true);
          }
        }
        Path commits = new Path(staging, COMMITS);
        if (fs.exists(commits) && fs.listStatus(commits).length == 0) {
          fs.delete(commits, false);
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
