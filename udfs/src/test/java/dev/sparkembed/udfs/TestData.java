package dev.sparkembed.udfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Real data for tests: the project's examples, and ../shared/data when it is there. */
public final class TestData {
  private TestData() {}

  public static Path examples(String name) {
    return Paths.get(System.getProperty("sparkembed.examples", "../examples")).resolve(name);
  }

  /** A file under ../shared/data; the test is skipped, with a message, when it is absent. */
  public static Path shared(String name) {
    Path file =
        Paths.get(System.getProperty("sparkembed.shared.data", "../../shared/data")).resolve(name);
    assumeTrue(
        Files.exists(file),
        "skipped: " + file + " is absent (../shared/data is only on development machines and CI)");
    return file;
  }
}
