package dev.sparkembed.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How main ends: on Databricks a failure throws (a JAR task must not end the shared driver JVM);
 * success returns everywhere. The System.exit path under spark-submit is checked by
 * ClusterStorageIT, in a JVM of its own.
 */
class SparkEmbedExitTest {

  @Test
  void onDatabricksAFailureThrowsWithItsExitCode() {
    SparkEmbed.CommandFailed e =
        assertThrows(
            SparkEmbed.CommandFailed.class,
            () -> SparkEmbed.finish(2, Map.of("DATABRICKS_RUNTIME_VERSION", "16.4")));
    assertEquals(2, e.exitCode());
  }

  @Test
  void successReturnsOnDatabricksAndElsewhere() {
    SparkEmbed.finish(0, Map.of("DATABRICKS_RUNTIME_VERSION", "17.3"));
    SparkEmbed.finish(0, Map.of());
  }
}
