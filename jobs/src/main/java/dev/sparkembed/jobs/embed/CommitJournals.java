package dev.sparkembed.jobs.embed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A folder of commit journals of type {@code J}, one JSON file per commit in progress: written
 * whole (under a temporary name, then renamed) before the commit's first step, deleted after its
 * last, and replayed by the next run when a run stopped in between.
 */
final class CommitJournals<J> {

  /** The steps of a commit, from wherever a stopped run left them. */
  interface Finish<J> {
    void accept(J journal) throws IOException;
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  private final FileSystem fs;
  private final Path folder;
  private final Class<J> type;

  CommitJournals(FileSystem fs, Path folder, Class<J> type) {
    this.fs = fs;
    this.folder = folder;
    this.type = type;
  }

  Path folder() {
    return folder;
  }

  /** Writes the journal of the commit {@code name}, replacing the one a stopped run left. */
  void write(String name, J journal) throws IOException {
    Path file = file(name);
    Path temp = new Path(folder, "._" + file.getName());
    fs.mkdirs(folder);
    try (OutputStream out = fs.create(temp, true)) {
      out.write(JSON.writeValueAsBytes(journal));
    }
    fs.delete(file, false);
    if (!fs.rename(temp, file)) {
      throw new IOException("rename of " + temp + " to " + file + " failed");
    }
  }

  /** Deletes the journal of the commit {@code name}: the commit is done, or nothing to replay. */
  void delete(String name) throws IOException {
    fs.delete(file(name), false);
  }

  /**
   * Finishes each commit whose journal the folder holds, deletes the journal, then tells {@code
   * finished}.
   */
  void replay(Finish<J> finish, Consumer<J> finished) throws IOException {
    if (!fs.exists(folder)) {
      return;
    }
    for (FileStatus status : fs.listStatus(folder)) {
      Path file = status.getPath();
      if (!file.getName().endsWith(".json") || file.getName().startsWith("._")) {
        continue;
      }
      J journal;
      try (InputStream in = fs.open(file)) {
        journal = JSON.readValue(in.readAllBytes(), type);
      }
      finish.accept(journal);
      fs.delete(file, false);
      finished.accept(journal);
    }
  }

  private Path file(String name) {
    return new Path(folder, name + ".json");
  }
}
