package dev.sparkembed.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

  @TempDir Path dir;

  /** Runs {@code sparkembed bench} on the example corpus with {@code extra}; returns its report. */
  private JsonNode bench(String... extra) throws Exception {
    SparkTestSession.get();
    Path report = dir.resolve("report.json");
    List<String> args =
        new ArrayList<>(
            List.of(
                "bench",
                "--input",
                TestData.examples("paragraphs.jsonl").toString(),
                "--work-dir",
                dir.resolve("work").toString(),
                "--report",
                report.toString()));
    args.addAll(List.of(extra));
    StringWriter err = new StringWriter();
    int code =
        SparkEmbed.run(
            new PrintWriter(new StringWriter()), new PrintWriter(err), args.toArray(String[]::new));
    assertEquals(0, code, err.toString());
    return new ObjectMapper().readTree(report.toFile());
  }

  @Test
  void measuresAllThreeWaysOnTheSameTokensAndWritesTheReport() throws Exception {
    JsonNode json = bench();
    assertEquals(32, json.get("rows").asLong());
    assertEquals(1166, json.get("tokens").asLong(), "tokens the model sees, cut at 256");
    for (String key :
        new String[] {
          "engine_tokens_per_s", "job_tokens_per_s", "baseline_tokens_per_s", "job_vs_engine"
        }) {
      assertTrue(json.get(key).asDouble() > 0, key);
    }
    assertEquals(
        json.get("job_tokens_per_s").asDouble() / json.get("baseline_tokens_per_s").asDouble(),
        json.get("job_vs_baseline").asDouble(),
        1e-9);
    assertEquals("onnxruntime", json.get("engine").asText());
    assertEquals(0, json.get("other_engines").size());
  }

  @Test
  void reportsWhereTheTimeWentStageByStage() throws Exception {
    JsonNode json = bench();
    JsonNode driver = json.get("job_stages").get("driver_seconds");
    for (String stage : new String[] {"start", "read_check", "plan", "embed", "table", "finish"}) {
      assertTrue(driver.get(stage).asDouble() > 0, "driver stage " + stage + ": " + driver);
    }
    JsonNode tasks = json.get("job_stages").get("task_seconds");
    JsonNode engine = json.get("engine_stages");
    for (String stage : new String[] {"tokenize", "batch", "engine_input", "forward", "pooling"}) {
      assertTrue(tasks.get(stage).asDouble() > 0, "job task stage " + stage + ": " + tasks);
      assertTrue(engine.get(stage).asDouble() > 0, "engine loop stage " + stage + ": " + engine);
    }
    double task = tasks.get("task").asDouble();
    assertTrue(tasks.get("write").asDouble() > 0, tasks::toString);
    assertTrue(tasks.get("forward").asDouble() < tasks.get("engine_call").asDouble());
    assertTrue(tasks.get("engine_call").asDouble() < tasks.get("embed").asDouble());
    assertTrue(tasks.get("embed").asDouble() < task, tasks::toString);
    assertTrue(
        driver.get("embed").asDouble() > task / json.get("job_stages").get("slots").asInt(),
        "the tasks ran inside the embedding stages");
  }

  @Test
  void withThePyTorchEngineReportsItBesideOnnxRuntime() throws Exception {
    Path torchscript =
        Path.of(
            TestData.torchScript("all-minilm-l6-v2").runtime().files().torchscript().location());
    JsonNode json =
        bench("--engine", "pytorch", "--torchscript-dir", torchscript.getParent().toString());
    assertEquals("onnxruntime", json.get("engine").asText(), "ONNX Runtime is the reference");
    JsonNode pytorch = json.get("other_engines").get(0);
    assertEquals("pytorch", pytorch.get("engine").asText());
    assertEquals("float32", pytorch.get("dtype").asText());
    assertEquals(json.get("tokens").asLong(), pytorch.get("tokens").asLong(), "the same work");
    assertTrue(pytorch.get("job_tokens_per_s").asDouble() > 0);
    assertTrue(pytorch.get("engine_tokens_per_s").asDouble() > 0);
  }

  @AfterEach
  void restoreModelsRoot() {
    System.clearProperty("sparkembed.models");
  }

  private void useModelsRoot(Path root) {
    assumeTrue(
        System.getenv(ModelRegistry.MODELS_ROOT_ENV) == null,
        "skipped: $"
            + ModelRegistry.MODELS_ROOT_ENV
            + " is set and would win over the test's root");
    System.setProperty("sparkembed.models", root.toString());
  }

  @Test
  void tiersSideBySideReportATierThatIsNotInstalledAsSkipped() throws Exception {
    useModelsRoot(dir.resolve("no-models"));
    JsonNode json = bench("--dtypes", "int8,bfloat16", "--rounds", "2");
    assertTrue(json.get("cpu_features").asText().length() > 0);
    JsonNode tiers = json.get("tiers");
    assertEquals(3, tiers.size(), tiers.toString());
    JsonNode float32 = tiers.get(0);
    assertEquals("float32", float32.get("tier").asText(), "float32 first: the reference");
    assertEquals(1.0, float32.get("job_vs_float32").asDouble(), 1e-9);
    assertEquals(1.0, float32.get("min_cosine").asDouble(), 1e-6);
    JsonNode int8 = tiers.get(1);
    assertEquals("all-minilm-l6-v2-q", int8.get("model").asText());
    assertEquals(float32.get("tokens").asLong(), int8.get("tokens").asLong(), "the same work");
    assertTrue(int8.get("job_tokens_per_s").asDouble() > 0);
    double min = int8.get("min_cosine").asDouble();
    assertTrue(min > 0.9 && min < 1 - 1e-6, "int8 vectors are near float32's: " + min);
    assertTrue(int8.get("mean_cosine").asDouble() >= min);
    for (JsonNode tier : List.of(float32, int8)) {
      for (String path : List.of("engine", "job")) {
        JsonNode rounds = tier.get(path + "_rounds");
        assertEquals(2, rounds.size(), tier.toString());
        double best = Math.min(rounds.get(0).asDouble(), rounds.get(1).asDouble());
        assertEquals(best, tier.get(path + "_seconds").asDouble(), 0, "the best round is kept");
      }
    }
    JsonNode bfloat16 = tiers.get(2);
    assertEquals("bfloat16", bfloat16.get("tier").asText());
    assertTrue(
        bfloat16.get("skipped").asText().contains("build_cpu_tiers.sh"), bfloat16.toString());
    assertTrue(bfloat16.path("job_tokens_per_s").isMissingNode());
  }

  @Test
  void theBfloat16TierRunsBesideFloat32() throws Exception {
    Path fixture =
        Path.of(
            TestData.torchScript("all-minilm-l6-v2", "all-minilm-l6-v2-bfloat16.pt")
                .runtime()
                .files()
                .torchscript()
                .location());
    Path root = dir.resolve("models");
    Files.createDirectories(root.resolve("cpu-tiers"));
    Files.copy(fixture, root.resolve("cpu-tiers/all-minilm-l6-v2-bfloat16.pt"));
    useModelsRoot(root);
    JsonNode bfloat16 = bench("--dtypes", "bfloat16", "--rounds", "1").get("tiers").get(1);
    assertEquals("pytorch", bfloat16.get("engine").asText());
    assertEquals("bfloat16", bfloat16.get("dtype").asText());
    assertTrue(bfloat16.get("min_cosine").asDouble() >= 0.9999, bfloat16.toString());
    assertTrue(bfloat16.get("engine_vs_float32").asDouble() > 0);
    assertEquals(1, bfloat16.get("job_rounds").size(), bfloat16.toString());
  }

  @Test
  void dtypesWithAnEngineStopBeforeWork() {
    StringWriter err = new StringWriter();
    int code =
        SparkEmbed.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true),
            "bench",
            "--input",
            TestData.examples("paragraphs.jsonl").toString(),
            "--dtypes",
            "float32,int8",
            "--engine",
            "pytorch");
    assertEquals(SparkEmbed.USAGE_ERROR, code, err.toString());
    assertTrue(
        err.toString()
            .startsWith("sparkembed: error: Cannot set --dtypes with --dtype or --engine"),
        err.toString());
  }
}
