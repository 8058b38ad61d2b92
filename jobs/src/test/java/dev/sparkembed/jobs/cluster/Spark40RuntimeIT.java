package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.TableDiff;
import dev.sparkembed.jobs.cluster.StandaloneCluster.SparkRuntime;
import dev.sparkembed.jobs.cluster.StandaloneCluster.Submission;
import dev.sparkembed.jobs.cluster.StandaloneCluster.WorkerSpec;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark 4 jar (built against Spark 4.1) on a Spark 4.0 standalone cluster: master, worker,
 * executors and spark-submit all run the Spark 4.0 jars Maven resolved for {@code
 * runtimes/spark-4.0} (4.0.0, the Spark of Databricks 17.3 LTS). The table it writes equals the one
 * the same command writes here on Spark 4.1, and its manifest names Spark 4.0.
 */
class Spark40RuntimeIT {

  @TempDir Path dir;

  @Test
  void theSpark4JarRunsOnSpark40AndWritesTheSameVectors() throws Exception {
    assumeTrue(
        scala.util.Properties.versionNumberString().startsWith("2.13."),
        "the Spark 4 line only (this build is the Spark 3.5 line)");
    SparkRuntime spark40 =
        SparkRuntime.fromClasspathFile(
            "spark-4.0", Paths.get(System.getProperty("sparkembed.spark40.classpath")), "2.13");
    Path onCluster = dir.resolve("on-4.0");
    try (StandaloneCluster cluster =
        StandaloneCluster.start("spark-4.0", spark40, WorkerSpec.of(1, "1g"))) {
      Submission run =
          cluster
              .submit("embed-on-4.0")
              .args(
                  "embed",
                  "--input",
                  ClusterFiles.examples().toString(),
                  "--output",
                  onCluster.toString())
              .start();
      assertEquals(0, run.waitFor(Duration.ofMinutes(5)), cluster.diagnostics());
    }
    String sparkVersion =
        ClusterFiles.manifest(onCluster.resolve("all-minilm-l6-v2"))
            .path("versions")
            .path("spark")
            .asText();
    assertTrue(sparkVersion.startsWith("4.0."), "the manifest names Spark " + sparkVersion);

    Path here = dir.resolve("here");
    SparkSession spark = SparkTestSession.get();
    assertEquals(
        0,
        ClusterFiles.runHere(
            "embed", "--input", ClusterFiles.examples().toString(), "--output", here.toString()));
    assertTrue(spark.version().startsWith("4.1."), spark.version());
    TableDiff diff =
        TableDiff.of(
            spark.read().parquet(onCluster.resolve("all-minilm-l6-v2").toString()),
            spark.read().parquet(here.resolve("all-minilm-l6-v2").toString()));
    assertEquals(32, diff.keys());
    assertEquals(0, diff.inOneOnly());
    assertEquals(0, diff.otherDifferences());
    assertTrue(diff.largestDifference() <= 1e-5f, diff.toString());
  }
}
