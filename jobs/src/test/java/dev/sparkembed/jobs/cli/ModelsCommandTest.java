package dev.sparkembed.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {

  @TempDir Path dir;

  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SparkEmbed.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void listsEveryBuiltInModel() {
    Outcome outcome = run("models", "list");
    assertEquals(0, outcome.code(), outcome.err());
    for (String name : ModelRegistry.builtIn().names()) {
      assertTrue(outcome.out().contains(name), name + " in " + outcome.out());
    }
    assertTrue(outcome.out().contains("all-minilm-l6-v2*"), "the default is marked");
    assertTrue(outcome.out().contains("'passage: '"), "e5's passage prefix is shown");
  }

  @Test
  void describesAModelWithItsFingerprint() {
    Outcome outcome = run("models", "describe", "bge-small-en-v1.5");
    assertEquals(0, outcome.code(), outcome.err());
    assertTrue(outcome.out().contains("pooling: \"cls\""), outcome.out());
    assertTrue(
        outcome.out().contains(ModelRegistry.builtIn().get("bge-small-en-v1.5").fingerprint()));
  }

  @Test
  void verifiesAModelByLoadingItAndEmbedding() {
    Outcome outcome = run("models", "verify", "all-minilm-l6-v2-q");
    assertEquals(0, outcome.code(), outcome.err());
    assertEquals("all-minilm-l6-v2-q: OK (files verified, 384-dim vector)\n", outcome.out());
  }

  @Test
  void aFileWithTheWrongHashFailsVerificationNamingTheFile() throws Exception {
    Path tokenizer = dir.resolve("tokenizer.json");
    Files.writeString(tokenizer, "{}");
    Path registry = dir.resolve("models.yaml");
    Files.writeString(
        registry,
        """
        models:
          broken:
            files:
              model: {location: classpath:all-minilm-l6-v2-q.onnx, sha256: %s}
              tokenizer: {location: %s, sha256: %s}
            pooling: mean
            normalize: true
            max_length: 256
            dimension: 384
        """
            .formatted(
                ModelRegistry.builtIn()
                    .get("all-minilm-l6-v2-q")
                    .runtime()
                    .files()
                    .model()
                    .sha256(),
                tokenizer,
                "0".repeat(64)));
    Outcome outcome = run("models", "verify", "--model-registry", registry.toString());
    assertEquals(1, outcome.code());
    assertTrue(outcome.out().startsWith("broken: FAILED: Model file " + tokenizer), outcome.out());
  }

  @Test
  void anUnknownModelIsOneLine() {
    Outcome outcome = run("models", "describe", "nope");
    assertEquals(SparkEmbed.USAGE_ERROR, outcome.code());
    assertTrue(outcome.err().startsWith("sparkembed: error: Unknown model 'nope'"), outcome.err());
  }
}
