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
    assertStopsWith(run("embed", "--input", "x.jsonl"), "Missing required option: '--output=DIR'");
  }

  @Test
  void aRunThroughTheCommandLineWritesTheTable() {
    Outcome outcome = run(embed());
    assertEquals(0, outcome.code(), outcome.err());
    assertTrue(Files.isRegularFile(dir.resolve("out/all-minilm-l6-v2/_manifest.json")));
  }
}
