package dev.sparkembed.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dtype bfloat16} and {@code --dtype int8} on a built-in model, with the bfloat16 tier in
 * a temporary models root: the run picks the tier's engine and file, and the fingerprint tells the
 * tables apart; a tier that is not installed stops the run before any work.
 */
class CpuTiersTest {

  @TempDir Path dir;

  private record Outcome(int code, String out, String err) {}

  @BeforeEach
  void useTemporaryModelsRoot() {
    assumeTrue(
        System.getenv(ModelRegistry.MODELS_ROOT_ENV) == null,
        "skipped: $"
            + ModelRegistry.MODELS_ROOT_ENV
            + " is set and would win over the test's root");
    System.setProperty("sparkembed.models", dir.resolve("models").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty("sparkembed.models");
  }

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SparkEmbed.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  private Outcome embed(String output, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "embed",
                "--input",
                TestData.examples("paragraphs.jsonl").toString(),
                "--output",
                dir.resolve(output).toString()));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private JsonNode manifest(String output, String model) throws IOException {
    return new ObjectMapper()
        .readTree(dir.resolve(output).resolve(model).resolve("_manifest.json").toFile());
  }

  /** Puts udfs' bfloat16 fixture where the registry expects the tier. */
  private void installBfloat16Tier() throws IOException {
    Path fixture =
        Path.of(
            TestData.torchScript("all-minilm-l6-v2", "all-minilm-l6-v2-bfloat16.pt")
                .runtime()
                .files()
                .torchscript()
                .location());
    Path tier = dir.resolve("models/cpu-tiers/all-minilm-l6-v2-bfloat16.pt");
    Files.createDirectories(tier.getParent());
    Files.copy(fixture, tier);
  }

  @Test
  void aMissingBfloat16TierStopsBeforeWorkWithTheCommandThatBuildsIt() {
    Outcome outcome = embed("out", "--dtype", "bfloat16");
    assertEquals(SparkEmbed.USAGE_ERROR, outcome.code(), outcome.err());
    assertTrue(
        outcome
            .err()
            .startsWith(
                "sparkembed: error: The bfloat16 tier of all-minilm-l6-v2 is not installed: "),
        outcome.err());
    assertTrue(
        outcome
            .err()
            .contains(
                "Build it with: deploy/models/build_cpu_tiers.sh --models-root "
                    + dir.resolve("models")
                    + " all-minilm-l6-v2"),
        outcome.err());
    assertTrue(Files.notExists(dir.resolve("out")), "nothing is written");
  }

  @Test
  void embedsInBfloat16AndInt8WithFingerprintsOfTheirOwn() throws IOException {
    installBfloat16Tier();
    SparkTestSession.get();
    Outcome bfloat16 = embed("bf16", "--dtype", "bfloat16");
    assertEquals(0, bfloat16.code(), bfloat16.err());
    Outcome float32 = embed("fp32");
    assertEquals(0, float32.code(), float32.err());
    Outcome int8 = embed("int8", "--dtype", "int8");
    assertEquals(0, int8.code(), int8.err());

    JsonNode tier = manifest("bf16", "all-minilm-l6-v2");
    assertEquals("pytorch", tier.get("engine").asText());
    assertEquals("bfloat16", tier.get("dtype").asText());
    String reference = manifest("fp32", "all-minilm-l6-v2").get("fingerprint").asText();
    assertNotEquals(reference, tier.get("fingerprint").asText());
    assertNotEquals(
        reference,
        manifest("int8", "all-minilm-l6-v2-q").get("fingerprint").asText(),
        "--dtype int8 runs the int8 sibling, in a table of its own");
  }

  @Test
  void modelsListAndDescribeSayWhetherTheTierIsInstalled() throws IOException {
    Outcome before = run("models", "describe", "all-minilm-l6-v2");
    assertTrue(before.out().contains("bfloat16: \"not installed ("), before.out());
    assertTrue(before.out().contains("build_cpu_tiers.sh"), before.out());
    installBfloat16Tier();
    Outcome list = run("models", "list");
    assertTrue(list.out().contains("tiers: bfloat16 installed: "), list.out());
    assertTrue(
        list.out().contains("int8 all-minilm-l6-v2-q, one text per engine call"), list.out());
    Outcome int8 = run("models", "describe", "all-minilm-l6-v2-q");
    assertTrue(int8.out().contains("quantization: \"dynamic_int8\""), int8.out());
    assertTrue(int8.out().contains("batching: \"one text per engine call"), int8.out());
  }
}
