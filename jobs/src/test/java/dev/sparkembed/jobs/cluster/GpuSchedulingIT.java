package dev.sparkembed.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.cluster.StandaloneCluster.Submission;
import dev.sparkembed.jobs.cluster.StandaloneCluster.WorkerSpec;
import dev.sparkembed.udfs.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GPU scheduling without a GPU: a standalone worker declares two fake GPUs through a discovery
 * script, the executor gets both, and each task asks for half of one. Every task must embed for the
 * address Spark assigned it, and the executor must load exactly one model per address, shared by
 * the two tasks on it. No CUDA device exists here, so {@code --cpu-fallback} runs each address's
 * model on CPU: the address selects nothing, the scheduling logic is what is tested.
 */
class GpuSchedulingIT {

  private static final Pattern LOAD =
      Pattern.compile("sparkembed: loaded model all-minilm-l6-v2 for (\\S+) with");
  private static final Pattern TASK =
      Pattern.compile(
          "sparkembed: task \\d+ \\(partition (\\d+)\\) embeds with \\S+ for (\\S+) on");
  private static final int PARTITIONS = 8;

  private static StandaloneCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = StandaloneCluster.start("gpu-scheduling", WorkerSpec.of(4, "2g").withGpus("0", "1"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Runs the embed job on the example corpus; returns the executor logs' text. */
  private static String embed(String name, Map<String, String> conf, String... extraArgs)
      throws Exception {
    Path output = cluster.dir().resolve(name);
    StandaloneCluster.Submit submit =
        cluster
            .submit(name)
            .conf("spark.executor.cores", "4")
            .conf("spark.executor.resource.gpu.amount", "2");
    conf.forEach(submit::conf);
    String[] base = {
      "embed",
      "--input",
      TestData.examples("paragraphs.jsonl").toString(),
      "--output",
      output.toString(),
      "--partitions",
      Integer.toString(PARTITIONS),
      "--device",
      "gpu",
      "--cpu-fallback"
    };
    String[] args = new String[base.length + extraArgs.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extraArgs, 0, args, base.length, extraArgs.length);
    Submission run = submit.args(args).start();
    assertEquals(0, run.waitFor(Duration.ofMinutes(3)), () -> cluster.diagnostics());
    assertEquals(
        32,
        SparkTestSession.get()
            .read()
            .parquet(output.resolve("all-minilm-l6-v2").toString())
            .count());
    StringBuilder logs = new StringBuilder();
    cluster
        .executorLogs()
        .forEach(
            (file, text) -> {
              if (file.toString().contains(appId(run))) {
                logs.append(text);
              }
            });
    return logs.toString();
  }

  private static String appId(Submission run) {
    Matcher m = Pattern.compile("app-\\d+-\\d+").matcher(run.logText());
    assertTrue(m.find(), "the driver log names its application");
    return m.group();
  }

  private static void assertOneModelPerAddress(String logs) {
    Map<String, Integer> loads = new TreeMap<>();
    Matcher load = LOAD.matcher(logs);
    while (load.find()) {
      loads.merge(load.group(1), 1, Integer::sum);
    }
    assertEquals(Map.of("gpu:0", 1, "gpu:1", 1), loads, "model loads by device:\n" + logs);

    Map<String, String> taskDevice = new TreeMap<>();
    Matcher task = TASK.matcher(logs);
    while (task.find()) {
      taskDevice.put(task.group(1), task.group(2));
    }
    assertEquals(PARTITIONS, taskDevice.size(), "every partition's task logged its device");
    assertTrue(
        taskDevice.values().stream().allMatch(d -> d.equals("gpu:0") || d.equals("gpu:1")),
        "every task embedded for its assigned GPU: " + taskDevice);
    assertTrue(
        logs.contains("runs on CPU instead of GPU 0 (--cpu-fallback)"),
        "the fallback to CPU is said, not silent");
  }

  @Test
  void halfAGpuPerTaskLoadsOneModelPerGpuAddress() throws Exception {
    assertOneModelPerAddress(embed("task-amount", Map.of("spark.task.resource.gpu.amount", "0.5")));
  }

  @Test
  void stageLevelSchedulingAsksForGpusInTheEmbeddingStageOnly() throws Exception {
    assertOneModelPerAddress(embed("stage-level", Map.of(), "--task-gpus", "0.5"));
  }
}
