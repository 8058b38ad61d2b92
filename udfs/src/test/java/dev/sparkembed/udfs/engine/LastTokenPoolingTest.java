package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.model.FileRef;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelFiles;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelRuntime;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.model.Padding;
import dev.sparkembed.udfs.model.Pooling;
import dev.sparkembed.udfs.model.PoolingHead;
import dev.sparkembed.udfs.model.QueryInstruction;
import dev.sparkembed.udfs.model.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Last-token pooling on a tiny causal decoder that the test builds with torch and exports to ONNX
 * (src/test/python/tiny_decoder.py): the vector is the same under right and left padding, in any
 * batch, and equal to embedding each text alone.
 */
class LastTokenPoolingTest {

  private static final String PYTHON =
      Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  private static ModelSpec right;
  private static Path dir;

  @BeforeAll
  static void buildDecoder(@TempDir Path tempDir) throws IOException, InterruptedException {
    dir = tempDir;
    assumeTrue(
        run(PYTHON, "-c", "import torch, onnx") == 0,
        "skipped: needs Python with torch and onnx (Debian: python3-torch python3-onnx;"
            + " .ci/run installs them)");
    Path onnx = dir.resolve("tiny-decoder.onnx");
    Path script = Paths.get("src/test/python/tiny_decoder.py");
    assertEquals(0, run(PYTHON, script.toString(), onnx.toString(), "30522"), "export failed");
    FileRef tokenizer =
        ModelRegistry.builtIn().get("all-minilm-l6-v2").runtime().files().tokenizer();
    right =
        spec(
            "tiny-decoder",
            new ModelFiles(new FileRef(onnx.toString(), ModelStore.sha256(onnx)), tokenizer),
            "Instruct: Given a question, find the passage that answers it\nQuery: ");
  }

  /** A last-token model on BERT's tokenizer, which has no end token to append. */
  private static ModelSpec spec(String name, ModelFiles files, String queryPrefix) {
    return new ModelSpec(
            name,
            null,
            "built by tiny_decoder.py",
            new ModelRuntime(null, null, files),
            new TextFormat("", new QueryInstruction(queryPrefix, ""), "", Padding.RIGHT, 64),
            new PoolingHead(Pooling.LAST_TOKEN, List.of(), true, 32, List.of(), true))
        .validated();
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  private static float[][] embed(ModelSpec spec, BatchSettings settings, List<String> texts) {
    return WindowedEmbedder.embedAll(ModelCache.get(spec, 1), settings, texts);
  }

  @Test
  void aTokenizerWithMoreTokensThanTheModelIsRefusedWhenTheModelLoads()
      throws IOException, InterruptedException {
    Path small = dir.resolve("tiny-decoder-1000.onnx");
    Path script = Paths.get("src/test/python/tiny_decoder.py");
    assertEquals(0, run(PYTHON, script.toString(), small.toString(), "1000"), "export failed");
    ModelSpec mismatched =
        spec(
            "tiny-decoder-1000",
            new ModelFiles(
                new FileRef(small.toString(), ModelStore.sha256(small)),
                right.runtime().files().tokenizer()),
            "");
    ModelFileException e =
        assertThrows(
            ModelFileException.class, () -> EncoderModel.load(mismatched, EnginePlan.cpu(1)));
    assertTrue(
        e.getMessage().contains("cannot embed token id 30,521")
            && e.getMessage().contains("the tokenizer does not belong to this model"),
        e.getMessage());
  }

  @Test
  void sameVectorUnderLeftAndRightPaddingAndAlone() {
    ModelSpec left = right.withPadding(Padding.LEFT);
    assertEquals(right.fingerprint(), left.fingerprint(), "padding does not change vectors");
    List<String> texts =
        List.of(
            "A short one.",
            "A somewhat longer text about coral reefs, warm water and bleaching events.",
            "Mid length: batteries fade as cathodes crack.",
            "word ".repeat(100));
    BatchSettings batched = new BatchSettings(16, 4096, 64);
    float[][] alone = embed(right, new BatchSettings(1, 4096, 1), texts);
    float[][] rightPadded = embed(right, batched, texts);
    float[][] leftPadded = embed(left, batched, texts);
    for (int t = 0; t < texts.size(); t++) {
      assertEquals(32, alone[t].length);
      for (int c = 0; c < 32; c++) {
        assertEquals(alone[t][c], rightPadded[t][c], 1e-5, "right, text " + t + " component " + c);
        assertEquals(alone[t][c], leftPadded[t][c], 1e-5, "left, text " + t + " component " + c);
      }
    }
    assertTrue(
        Math.abs(Vectors.cosine(alone[0], alone[1])) < 0.9999,
        "different texts, different vectors");
  }
}
