package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.TableDiff;
import dev.sparkembed.jobs.cluster.StandaloneCluster.Submission;
import dev.sparkembed.jobs.cluster.StandaloneCluster.WorkerSpec;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.storage.TestSchemeFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a standalone cluster of this build's Spark line (executors in their own JVMs): a registry and
 * the model folder it names, on a file system that only {@code spark.hadoop.fs.testfs.impl} makes
 * known, are read by the driver and copied by the executors; a failed command ends spark-submit
 * with its exit code, and on Databricks (its runtime variable set) throws instead of exiting.
 */
class ClusterStorageIT {

  @TempDir Path dir;

  @Test
  void aRegistryAndModelFolderReachedOnlyThroughSparkHadoopSettingsEmbedOnExecutors()
      throws Exception {
    ModelSpec builtIn = ModelRegistry.builtIn().get("all-minilm-l6-v2");
    Path folder = dir.resolve("models/minilm");
    TestSchemeFileSystem.layOutMiniLm(
        folder,
        ModelStore.localCopy(builtIn.runtime().files().model()),
        ModelStore.localCopy(builtIn.runtime().files().tokenizer()));
    Path registry =
        Files.writeString(
            dir.resolve("models.yaml"),
            "default: minilm-remote\nmodels:\n  minilm-remote:\n    folder: "
                + TestSchemeFileSystem.uri(folder)
                + "\n");
    Path testfsJar = ClusterFiles.jarOf(dir.resolve("testfs.jar"), TestSchemeFileSystem.class);
    Path executorModels = dir.resolve("executor-models");
    Path out = dir.resolve("out");

    try (StandaloneCluster cluster =
        StandaloneCluster.start("cluster-storage", WorkerSpec.of(1, "1g"))) {
      Submission run =
          cluster
              .submit("models-on-testfs")
              .jars(testfsJar)
              .conf(
                  "spark.hadoop." + TestSchemeFileSystem.IMPL, TestSchemeFileSystem.class.getName())
              .conf("spark.hadoop." + TestSchemeFileSystem.NO_CACHE, "true")
              .conf("spark.executorEnv.SPARKEMBED_MODEL_DIR", executorModels.toString())
              .args(
                  "embed",
                  "--input",
                  ClusterFiles.examples().toString(),
                  "--output",
                  out.toString(),
                  "--model-registry",
                  TestSchemeFileSystem.uri(registry))
              .start();
      assertEquals(0, run.waitFor(Duration.ofMinutes(5)), cluster.diagnostics());
      // the executors copied the weights from testfs:// themselves, into their own folder
      try (Stream<Path> copies = Files.walk(executorModels)) {
        assertTrue(
            copies.anyMatch(p -> p.getFileName().toString().equals("model.onnx")),
            "no executor copy of model.onnx under " + executorModels);
      }
      assertTrue(
          cluster.executorLogs().values().stream()
              .anyMatch(log -> log.contains("loaded model minilm-remote")),
          cluster.diagnostics());

      // without the setting, the same registry cannot be read: a one-line error, exit code 2
      Submission unknownScheme =
          cluster
              .submit("registry-without-setting")
              .jars(testfsJar)
              .args(
                  "embed",
                  "--input",
                  ClusterFiles.examples().toString(),
                  "--output",
                  dir.resolve("out-2").toString(),
                  "--model-registry",
                  TestSchemeFileSystem.uri(registry))
              .start();
      assertEquals(2, unknownScheme.waitFor(Duration.ofMinutes(3)), unknownScheme.logText());
      assertTrue(
          unknownScheme.logText().contains("No FileSystem for scheme"), unknownScheme.logText());
      assertFalse(unknownScheme.logText().contains("CommandFailed"), unknownScheme.logText());

      // the same failure as a Databricks JAR task: no System.exit, an exception ends main
      Submission onDatabricks =
          cluster
              .submit("registry-without-setting-databricks")
              .jars(testfsJar)
              .env("DATABRICKS_RUNTIME_VERSION", "16.4")
              .args(
                  "embed",
                  "--input",
                  ClusterFiles.examples().toString(),
                  "--output",
                  dir.resolve("out-3").toString(),
                  "--model-registry",
                  TestSchemeFileSystem.uri(registry))
              .start();
      assertNotEquals(0, onDatabricks.waitFor(Duration.ofMinutes(3)), onDatabricks.logText());
      assertTrue(
          onDatabricks.logText().contains("sparkembed failed with exit code 2"),
          onDatabricks.logText());
    }

    Path here = dir.resolve("here");
    SparkSession spark = SparkTestSession.get();
    assertEquals(
        0,
        ClusterFiles.runHere(
            "embed", "--input", ClusterFiles.examples().toString(), "--output", here.toString()));
    TableDiff diff =
        TableDiff.of(
            spark.read().parquet(out.resolve("minilm-remote").toString()),
            spark.read().parquet(here.resolve("all-minilm-l6-v2").toString()));
    assertEquals(32, diff.keys());
    assertEquals(0, diff.inOneOnly());
    assertTrue(diff.largestDifference() <= 1e-5f, diff.toString());
  }
}
