package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

  private static ModelRegistry parse(String yaml) throws Exception {
    return ModelRegistry.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  private static String entry(String maxLength) {
    return """
        default: m
        models:
          m:
            files:
              model: {location: /x/model.onnx, sha256: %s}
              tokenizer: {location: /x/tokenizer.json, sha256: %s}
            pooling: cls
            normalize: true
            max_length: %s
            dimension: 384
        """
        .formatted("a".repeat(64), "b".repeat(64), maxLength);
  }

  @Test
  void builtInDefaultIsMiniLmWithSentenceTransformersSettings() {
    ModelRegistry registry = ModelRegistry.builtIn();
    ModelSpec spec = registry.get(registry.defaultModel());
    assertEquals("all-minilm-l6-v2", spec.name());
    assertEquals(Pooling.MEAN, spec.head().pooling());
    assertEquals(256, spec.text().maxLength());
    assertEquals(384, spec.head().dimension());
    assertEquals(true, spec.head().normalize());
  }

  @Test
  void readsAnEntry() throws Exception {
    ModelSpec spec = parse(entry("512")).get("m");
    assertEquals(Pooling.CLS, spec.head().pooling());
    assertEquals(512, spec.text().maxLength());
    assertEquals(EngineType.ONNXRUNTIME, spec.runtime().engine());
  }

  @Test
  void aBadValueNamesItsKey() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> parse(entry("0")));
    assertEquals("Cannot set models.m.max_length to 0: must be at least 2", e.getMessage());
  }

  @Test
  void anUnknownModelListsTheKnownOnes() throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> parse(entry("512")).get("nope"));
    assertEquals("Unknown model 'nope'; the registry has: m", e.getMessage());
  }

  @Test
  void fingerprintChangesWithEverySettingThatChangesVectors() throws Exception {
    ModelSpec spec = parse(entry("512")).get("m");
    assertEquals(spec.fingerprint(), parse(entry("512")).get("m").fingerprint());
    org.junit.jupiter.api.Assertions.assertNotEquals(
        spec.fingerprint(), spec.withMaxLength(256).fingerprint());
  }
}
