package dev.sparkembed.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.udfs.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
