package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in models' CPU tiers: where each lives, what --dtype picks, what a missing one says.
 */
class ModelTiersTest {

  @TempDir Path root;

  @BeforeEach
  void useTemporaryModelsRoot() {
    assumeTrue(
        System.getenv(ModelRegistry.MODELS_ROOT_ENV) == null,
        "skipped: $"
            + ModelRegistry.MODELS_ROOT_ENV
            + " is set and would win over the test's root");
    System.setProperty("sparkembed.models", root.toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty("sparkembed.models");
  }

  /** The registry states the file where deploy/models/build_cpu_tiers.sh writes it. */
  @ParameterizedTest
  @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5", "e5-small-v2"})
  void everyBuiltInStatesBothTiers(String name) {
    ModelTiers tiers = new ModelTiers(ModelRegistry.builtIn());
    assertEquals(root + "/cpu-tiers/" + name + "-bfloat16.pt", tiers.bfloat16Location(name));
    ModelSpec int8 = tiers.spec(name, Tier.INT8);
    assertEquals(name + "-q", int8.name());
    assertEquals(Quantization.DYNAMIC_INT8, int8.runtime().quantization());
    assertEquals(int8, tiers.spec(name + "-q", Tier.INT8), "an int8 model is its own int8 tier");
  }

  @Test
  void aMissingBfloat16TierSaysHowToBuildIt() {
    ModelTiers tiers = new ModelTiers(ModelRegistry.builtIn());
    assertFalse(tiers.installed("all-minilm-l6-v2", Tier.BFLOAT16));
    ModelFileException e =
        assertThrows(ModelFileException.class, () -> tiers.spec("all-minilm-l6-v2", Tier.BFLOAT16));
    assertTrue(
        e.getMessage()
            .contains(
                "Build it with: deploy/models/build_cpu_tiers.sh --models-root "
                    + root
                    + " all-minilm-l6-v2"),
        e.getMessage());
    assertTrue(e.getMessage().contains("python3-torch python3-onnx"), e.getMessage());
  }

  @Test
  void anInstalledBfloat16TierRunsOnPyTorchWithItsOwnFingerprint() throws Exception {
    Path file = root.resolve("cpu-tiers/all-minilm-l6-v2-bfloat16.pt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "stands in for the TorchScript file: nothing loads it here");
    ModelTiers tiers = new ModelTiers(ModelRegistry.builtIn());
    assertTrue(tiers.installed("all-minilm-l6-v2", Tier.BFLOAT16));
    ModelSpec bfloat16 = tiers.spec("all-minilm-l6-v2", Tier.BFLOAT16);
    assertEquals(EngineType.PYTORCH, bfloat16.runtime().engine());
    assertEquals(Dtype.BFLOAT16, bfloat16.runtime().dtype());
    assertEquals(ModelStore.sha256(file), bfloat16.weights().sha256(), "checked like any file");
    assertNotEquals(
        tiers.spec("all-minilm-l6-v2", Tier.FLOAT32).fingerprint(), bfloat16.fingerprint());
  }

  @Test
  void aModelWithoutTiersSaysSo() throws Exception {
    ModelRegistry registry = parse("");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ModelTiers(registry).spec("m", Tier.INT8));
    assertEquals(
        "Model m has no int8 tier: its registry entry names no tiers.int8_model", e.getMessage());
  }

  @Test
  void quantizationIsInTheFingerprint() throws Exception {
    ModelSpec plain = parse("").get("m");
    ModelSpec quantized = parse("    quantization: dynamic_int8\n").get("m");
    assertEquals(Quantization.NONE, plain.runtime().quantization());
    assertNotEquals(plain.fingerprint(), quantized.fingerprint());
  }

  private static ModelRegistry parse(String extra) throws Exception {
    String yaml =
        """
        models:
          m:
            files:
              model: {location: /x/model.onnx, sha256: %s}
              tokenizer: {location: /x/tokenizer.json, sha256: %s}
            pooling: mean
            max_length: 128
            dimension: 384
        """
                .formatted("a".repeat(64), "b".repeat(64))
            + extra;
    return ModelRegistry.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }
}
