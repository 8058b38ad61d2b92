package dev.sparkembed.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.udfs.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad options stop the command with one clear line and exit code 2, before any work. */
class CommandLineTest {

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    SparkTestSession.get();
  }

  private record Outcome(int code, String err) {}

  private static Outcome run(String... args) {
    StringWriter err = new StringWriter();
    int code =
        SparkEmbed.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
    return new Outcome(code, err.toString());
  }

  private String[] embed(String... extra) {
    String[] base = {
      "embed",
      "--input",
      TestData.examples("paragraphs.jsonl").toString(),
      "--output",
      dir.resolve("out").toString()
    };
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private void assertStopsWith(Outcome outcome, String message) {
    assertEquals(SparkEmbed.USAGE_ERROR, outcome.code(), outcome.err());
    assertTrue(
        outcome.err().startsWith("sparkembed: error: " + message),
        () -> "expected '" + message + "' in: " + outcome.err());
    assertTrue(Files.notExists(dir.resolve("out")), "nothing is written");
  }

  @Test
  void aBatchSizeOfZeroNamesTheOption() {
    assertStopsWith(
        run(embed("--batch-size", "0")), "Cannot set --batch-size to 0: must be at least 1");
  }

  @Test
  void aWindowSmallerThanTheBatchNamesTheOption() {
    assertStopsWith(
        run(embed("--batch-size", "64", "--window-rows", "8")),
        "Cannot set --window-rows to 8: must be at least the batch size (64)");
  }

  @Test
  void negativePartitionsNameTheOption() {
    assertStopsWith(run(embed("--partitions", "-3")), "Cannot set --partitions to -3");
  }

  @Test
  void anUnknownModeListsTheChoices() {
    assertStopsWith(
        run(embed("--mode", "append")), "Invalid value for option '--mode': expected one of");
  }

  @Test
  void aNonNumberNamesTheOption() {
    assertStopsWith(
        run(embed("--batch-tokens", "lots")),
        "Invalid value for option '--batch-tokens': 'lots' is not an int");
  }

  @Test
  void anUnknownModelListsTheRegistry() {
    assertStopsWith(
        run(embed("--models", "gpt-17")),
        "Unknown model 'gpt-17'; the registry has: all-minilm-l6-v2");
  }

  @Test
  void deleteMissingNeedsUpdateMode() {
    assertStopsWith(
        run(embed("--delete-missing")),
        "Cannot set --delete-missing with --mode error: it applies to --mode update");
  }

  @Test
  void aMissingRequiredOptionIsNamed() {
    assertStopsWith(
        run("embed", "--input", "x.jsonl"),
        "Error: Missing required argument (specify one of these): (--output=DIR | --output-table=NAME)");
    assertStopsWith(
        run("embed", "--input", "x.jsonl", "--output", "out", "--output-table", "db.t_{model}"),
        "Error: --output=DIR, --output-table=NAME are mutually exclusive (specify only one)");
  }

  @Test
  void engineDeviceAndPrecisionOptionsNameWhatIsWrong() {
    assertStopsWith(
        run(embed("--engine", "tensorflow")),
        "Cannot set models.all-minilm-l6-v2.engine to tensorflow: one of onnxruntime, pytorch");
    assertStopsWith(
        run(embed("--engine", "pytorch")),
        "Cannot set models.all-minilm-l6-v2.files.torchscript to null: engine pytorch needs a"
            + " TorchScript file");
    assertStopsWith(
        run(embed("--engine", "pytorch", "--torchscript-dir", dir.resolve("none").toString())),
        "Cannot set --torchscript-dir to "
            + dir.resolve("none")
            + ": it has no all-minilm-l6-v2.pt");
    assertStopsWith(
        run(embed("--dtype", "float16")),
        "Cannot set models.all-minilm-l6-v2.dtype to float16: ONNX Runtime computes in the ONNX"
            + " file's own precision");
    assertStopsWith(
        run(embed("--dtype", "int4")), "Cannot set models.all-minilm-l6-v2.dtype to int4");
    assertStopsWith(
        run(embed("--device", "tpu")), "Cannot set --device to tpu: use auto, gpu or cpu");
    assertStopsWith(run(embed("--task-gpus", "1.5")), "Cannot set --task-gpus to 1.5");
  }

  @Test
  void thePyTorchEngineRunsFromAFolderOfTorchScriptCopies() {
    Path torchscript =
        Path.of(
            TestData.torchScript("all-minilm-l6-v2").runtime().files().torchscript().location());
    Outcome outcome =
        run(
            embed(
                "--engine",
                "pytorch",
                "--torchscript-dir",
                torchscript.getParent().toString(),
                "--device",
                "cpu"));
    assertEquals(0, outcome.code(), outcome.err());
    assertTrue(Files.isRegularFile(dir.resolve("out/all-minilm-l6-v2/_manifest.json")));
  }

  @Test
  void aRunThroughTheCommandLineWritesTheTable() {
    Outcome outcome = run(embed());
    assertEquals(0, outcome.code(), outcome.err());
    assertTrue(Files.isRegularFile(dir.resolve("out/all-minilm-l6-v2/_manifest.json")));
  }
}
