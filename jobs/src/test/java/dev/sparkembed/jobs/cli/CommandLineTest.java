package dev.sparkembed.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.embed.EmbedJob;
import dev.sparkembed.jobs.embed.EmbedResult;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad options stop the command with one clear line and exit code 2, before any work; good ones mean
 * what they say.
 */
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

  @Test
  void theSummarySaysWhatChangedOnlyWhenThereWasATableToCompareWith() {
    String first = summaryOf(embed("--mode", "update"));
    assertTrue(first.contains("32 rows"), first);
    assertFalse(first.contains(" new, "), "a first run has nothing to compare with: " + first);
    String again = summaryOf(embed("--mode", "update"));
    assertTrue(
        again.contains("0 new, 0 changed, 32 unchanged, 0 kept (gone from the input)"), again);
  }

  /** Runs the embed command {@code args} parse to; returns the summary it prints. */
  private static String summaryOf(String... args) {
    EmbedCommand command = embedCommand(args);
    EmbedResult result =
        new EmbedJob(
                SparkTestSession.get(),
                command.options(),
                new PrintStream(new ByteArrayOutputStream()))
            .run();
    ByteArrayOutputStream summary = new ByteArrayOutputStream();
    EmbedCommand.printSummary(result, new PrintStream(summary, true, StandardCharsets.UTF_8));
    return summary.toString(StandardCharsets.UTF_8);
  }

  private static EmbedCommand embedCommand(String... args) {
    return (EmbedCommand)
        SparkEmbed.parser().parseArgs(args).subcommand().commandSpec().userObject();
  }

  @Test
  void aBatchOptionSetToTheCpuDefaultKeepsItsValueOnAGpu() {
    EmbedCommand set =
        embedCommand(
            embed("--batch-size", "16", "--batch-tokens", "1024", "--window-rows", "4096"));
    assertEquals(BatchSettings.DEFAULT, set.options().batch().on(true));

    EmbedCommand unset = embedCommand(embed());
    assertEquals(BatchSettings.GPU_DEFAULT, unset.options().batch().on(true));
    assertEquals(BatchSettings.DEFAULT, unset.options().batch().on(false));

    EmbedCommand one = embedCommand(embed("--batch-size", "16"));
    assertEquals(
        new BatchSettings(16, BatchSettings.GPU_DEFAULT.maxTokens(), 8_192),
        one.options().batch().on(true));
  }
}
