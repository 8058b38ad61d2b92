package dev.sparkembed.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/databricks/databricks.yml: every JAR task runs a command line sparkembed accepts, on a
 * runtime whose Spark and Scala match its jar, in dedicated access mode, with no library from
 * {@code dbfs:/}.
 */
class DatabricksBundleTest {

  private static final Path ROOT =
      Paths.get(System.getProperty("sparkembed.examples")).toAbsolutePath().getParent();
  private static final Path BUNDLE = ROOT.resolve("deploy/databricks/databricks.yml");
  private static final Pattern JAR_LINE =
      Pattern.compile("sparkembed-spark([0-9.]+)_(2\\.1[23])\\.jar$");

  /** Runtime prefix of each Spark line: 16.4 LTS is Spark 3.5.2, 17.3 LTS is Spark 4.0.0. */
  private static final Map<String, String> RUNTIME_OF_LINE = Map.of("3.5", "16.4.", "4", "17.3.");

  private static JsonNode bundle() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(BUNDLE.toFile());
  }

  @Test
  void everyJarTaskRunsOnARuntimeOfItsJarsSparkAndScalaInDedicatedMode() throws IOException {
    JsonNode jobs = bundle().path("resources").path("jobs");
    assertTrue(jobs.size() >= 2, "a CPU and a GPU job");
    List<String> seen = new ArrayList<>();
    jobs.properties()
        .forEach(
            job -> {
              for (JsonNode task : job.getValue().path("tasks")) {
                String where = job.getKey() + "." + task.path("task_key").asText();
                JsonNode cluster = clusterOf(job.getValue(), task);
                String runtime = cluster.path("spark_version").asText();
                String access = cluster.path("data_security_mode").asText();
                assertTrue(
                    access.equals("SINGLE_USER") || access.equals("DEDICATED"),
                    where + ": access mode " + access + " runs Spark Connect (no RDDs)");
                String sparkJar = null;
                for (JsonNode library : task.path("libraries")) {
                  String jar = library.path("jar").asText();
                  assertFalse(jar.startsWith("dbfs:"), where + ": library from dbfs:/ " + jar);
                  Matcher m = JAR_LINE.matcher(jar);
                  if (m.find()) {
                    sparkJar = jar;
                    assertTrue(
                        runtime.startsWith(RUNTIME_OF_LINE.get(m.group(1))),
                        where + ": " + jar + " on runtime " + runtime);
                    assertTrue(
                        runtime.endsWith("scala" + m.group(2)),
                        where + ": " + jar + " on runtime " + runtime);
                  }
                }
                assertTrue(sparkJar != null, where + " has no sparkembed jar");
                seen.add(where);
              }
            });
    assertTrue(seen.size() >= 4, seen.toString());
  }

  @Test
  void jarsAreBuiltByMavenAndUploadedToAVolume() throws IOException {
    JsonNode bundle = bundle();
    assertTrue(
        bundle.path("workspace").path("artifact_path").asText().startsWith("/Volumes/"),
        "artifacts go to a Unity Catalog volume");
    bundle
        .path("artifacts")
        .forEach(
            artifact -> {
              assertTrue(artifact.path("build").asText().startsWith("mvn "), artifact.toString());
              artifact
                  .path("files")
                  .forEach(f -> assertFalse(f.path("source").asText().startsWith("dbfs:")));
            });
  }

  @Test
  void everyJobsCommandLinesParseWithItsDefaultsAndAsAResume() throws IOException {
    for (String job : List.of("sparkembed_cpu", "sparkembed_gpu")) {
      for (Map<String, String> params :
          List.of(Map.<String, String>of(), Map.of("mode", "resume", "models", "a,b"))) {
        List<List<String>> commands = ArgsCheck.bundleCommands(BUNDLE, job, params);
        assertEquals(2, commands.size(), job);
        for (List<String> command : commands) {
          assertNull(ArgsCheck.check(command), job + ": " + command);
        }
        List<String> modes = commands.stream().map(c -> c.get(c.indexOf("--mode") + 1)).toList();
        assertEquals(List.of(params.getOrDefault("mode", "update"), "resume"), modes);
      }
    }
  }

  @Test
  void noDeploymentFileLoadsAJarFromDbfs() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT.resolve("deploy"))) {
      for (Path file : files.filter(p -> p.toString().matches(".*\\.(json|ya?ml|py)$")).toList()) {
        String text = Files.readString(file);
        assertFalse(
            Pattern.compile("dbfs:/[^\"'\\s]*\\.jar").matcher(text).find(),
            file + " loads a jar from dbfs:/");
      }
    }
  }

  @Test
  void theCheckRefusesACommandLineSparkembedWouldRefuse() {
    assertTrue(
        ArgsCheck.check(List.of("embed", "--input", "i", "--output", "o", "--mode", "often"))
            .contains("often"));
    assertTrue(ArgsCheck.check(List.of("embed", "--input", "i")).contains("--output"));
  }

  private static JsonNode clusterOf(JsonNode job, JsonNode task) {
    if (task.has("new_cluster")) {
      return task.path("new_cluster");
    }
    String key = task.path("job_cluster_key").asText();
    for (JsonNode cluster : job.path("job_clusters")) {
      if (cluster.path("job_cluster_key").asText().equals(key)) {
        return cluster.path("new_cluster");
      }
    }
    throw new AssertionError("task " + task.path("task_key") + " has no cluster");
  }
}
