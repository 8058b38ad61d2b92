package dev.sparkembed.jobs.embed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sparkembed.jobs.RunStopped;
import dev.sparkembed.jobs.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The lease of one writer on an output folder: {@code _lock.json} names the run that holds it (run
 * id, host, process, mode, when it started and when it last renewed the lease). A second run finds
 * it and stops before any work; a run whose lease was taken over stops before its next commit, so
 * it never replaces newer work.
 *
 * <p>A lease is stale, and the next run takes it over saying so, when its process is gone from this
 * host or it has not been renewed for {@link #STALE_AFTER} (a live run renews it every {@link
 * #RENEW_EVERY}); {@code --break-lock} takes over any lease. On the local file system the lease is
 * created by a hard link, which fails when the file exists; on HDFS by a create that fails when it
 * exists. Object stores without an exclusive create give no such guarantee.
 */
final class OutputLock implements AutoCloseable {

  static final String FILE = "_lock.json";

  /** This run's lease was taken over by another run: it must stop without committing. */
  static final class LostLeaseException extends RunStopped {
    private static final long serialVersionUID = 1L;

    LostLeaseException(String message) {
      super(message);
    }
  }

  static final Duration RENEW_EVERY = Duration.ofSeconds(30);
  static final Duration STALE_AFTER = Duration.ofMinutes(5);

  private static final ObjectMapper JSON =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  /** Who holds the lease. */
  record Holder(
      String runId, String host, long pid, String mode, String startedAt, String renewedAt) {

    Holder renewed() {
      return new Holder(runId, host, pid, mode, startedAt, Instant.now().toString());
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "run %s (%s mode, process %d on %s, started %s, lease renewed %s)",
          runId,
          mode,
          pid,
          host,
          startedAt,
          renewedAt);
    }
  }

  private final FileSystem fs;
  private final Path file;
  private final Holder holder;
  private final boolean createdRoot;
  private final ScheduledExecutorService renewer;
  private final AtomicBoolean lost = new AtomicBoolean();
  private volatile String lostTo;

  private OutputLock(FileSystem fs, Path file, Holder holder, boolean createdRoot) {
    this.fs = fs;
    this.file = file;
    this.holder = holder;
    this.createdRoot = createdRoot;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sparkembed-output-lease");
              thread.setDaemon(true);
              return thread;
            });
    long every = RENEW_EVERY.toMillis();
    renewer.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the lease on {@code root} for run {@code runId}, or stops with a message naming the run
   * that holds it.
   *
   * @param breakLock take over a lease held by another run, live or not
   */
  static OutputLock acquire(
      FileSystem fs, Path root, String runId, OutputMode mode, boolean breakLock, PrintStream log) {
    Path file = new Path(root, FILE);
    Instant now = Instant.now();
    Holder holder =
        new Holder(
            runId,
            hostName(),
            ProcessHandle.current().pid(),
            mode.name().toLowerCase(Locale.ROOT),
            now.toString(),
            now.toString());
    boolean createdRoot;
    try {
      createdRoot = !fs.exists(root);
      if (!fs.mkdirs(root)) {
        throw new IOException("the folder cannot be created");
      }
    } catch (IOException e) {
      throw new UserError(OutputLayout.cannotWrite(root, e), e);
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      if (createExclusively(fs, file, holder)) {
        return new OutputLock(fs, file, holder, createdRoot);
      }
      Holder other = read(fs, file);
      if (other == null) {
        pause(); // released between the create and the read, or still being written
        continue;
      }
      String why = staleness(other);
      if (why == null && !breakLock) {
        throw new UserError(
            String.format(
                "Output %s is being written by %s; wait for that run to end. If it is dead (its"
                    + " driver was killed), pass --break-lock to take the output over, or delete"
                    + " %s",
                root, other.describe(), file));
      }
      log.printf(
          "sparkembed: taking over the output from %s: %s%n",
          other.describe(), why == null ? "--break-lock" : why);
      replace(fs, file, holder);
      return new OutputLock(fs, file, holder, createdRoot);
    }
    throw new UserError(
        "Output " + root + " has a lease file " + file + " that cannot be read; delete it");
  }

  /** Why a lease is stale, or null when its holder may be alive. */
  private static String staleness(Holder other) {
    if (other.host().equals(hostName())
        && other.pid() != ProcessHandle.current().pid()
        && ProcessHandle.of(other.pid()).isEmpty()) {
      return "its process " + other.pid() + " is gone from this host";
    }
    Duration idle = Duration.between(Instant.parse(other.renewedAt()), Instant.now());
    if (idle.compareTo(STALE_AFTER) > 0) {
      return "its lease was last renewed " + idle.toSeconds() + " s ago";
    }
    return null;
  }

  /**
   * Stops the run when another run took the lease over: called before every commit, so a run whose
   * lease was broken never replaces newer work.
   */
  void checkHeld() {
    Holder now = read(fs, file);
    if (now == null || !now.runId().equals(holder.runId())) {
      lost.set(true);
      lostTo = now == null ? "nobody (the lease file was deleted)" : now.describe();
    }
    if (lost.get()) {
      throw new LostLeaseException(
          "this run ("
              + holder.runId()
              + ") lost its lease on the output to "
              + lostTo
              + "; it stops without committing, so the newer run's work stands");
    }
  }

  String runId() {
    return holder.runId();
  }

  private void renew() {
    try {
      Holder now = read(fs, file);
      if (now == null || !now.runId().equals(holder.runId())) {
        lost.set(true);
        lostTo = now == null ? "nobody (the lease file was deleted)" : now.describe();
        renewer.shutdown();
        return;
      }
      replace(fs, file, holder.renewed());
    } catch (RuntimeException e) {
      // a failed renewal is retried at the next tick; the commit check decides
    }
  }

  /** Releases the lease when this run still holds it, and the folder when the run made it empty. */
  @Override
  public void close() {
    renewer.shutdownNow();
    try {
      Holder now = read(fs, file);
      if (now != null && now.runId().equals(holder.runId())) {
        fs.delete(file, false);
      }
      Path root = file.getParent();
      if (createdRoot && fs.exists(root) && fs.listStatus(root).length == 0) {
        fs.delete(root, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the lease " + file, e);
    }
  }

  private static boolean createExclusively(FileSystem fs, Path file, Holder holder) {
    byte[] content = json(holder);
    try {
      java.nio.file.Path local = localPath(fs, file);
      if (local != null) {
        // Written whole beside the lease, then linked in: the link fails if the lease exists.
        java.nio.file.Path temp =
            Files.createTempFile(local.getParent(), "._lock-" + holder.runId(), ".json");
        try {
          Files.write(temp, content);
          Files.createLink(local, temp);
          return true;
        } catch (FileAlreadyExistsException e) {
          return false;
        } finally {
          Files.deleteIfExists(temp);
        }
      }
      try (OutputStream out = fs.create(file, false)) {
        out.write(content);
      }
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (exists(fs, file)) {
        return false;
      }
      throw new UserError(OutputLayout.cannotWrite(file.getParent(), e), e);
    }
  }

  private static void replace(FileSystem fs, Path file, Holder holder) {
    byte[] content = json(holder);
    try {
      java.nio.file.Path local = localPath(fs, file);
      if (local != null) {
        java.nio.file.Path temp =
            Files.createTempFile(local.getParent(), "._lock-" + holder.runId(), ".json");
        Files.write(temp, content);
        Files.move(
            temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      try (OutputStream out = fs.create(file, true)) {
        out.write(content);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the lease " + file, e);
    }
  }

  /** The lease's holder, or null when there is no lease or it is not readable yet. */
  static Holder read(FileSystem fs, Path file) {
    try {
      java.nio.file.Path local = localPath(fs, file);
      byte[] content;
      if (local != null) {
        content = Files.readAllBytes(local);
      } else {
        try (InputStream in = fs.open(file)) {
          content = in.readAllBytes();
        }
      }
      Holder holder = JSON.readValue(content, Holder.class);
      Instant.parse(holder.renewedAt());
      return holder;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean exists(FileSystem fs, Path file) {
    try {
      return fs.exists(file);
    } catch (IOException e) {
      return false;
    }
  }

  private static java.nio.file.Path localPath(FileSystem fs, Path file) {
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      return java.nio.file.Path.of(fs.makeQualified(file).toUri());
    }
    return null;
  }

  private static byte[] json(Holder holder) {
    try {
      return JSON.writeValueAsBytes(holder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
