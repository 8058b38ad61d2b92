package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same model gives the same vectors on ONNX Runtime and on PyTorch (its TorchScript copy), at
 * every batch size, and the fingerprint tells which engine made a table.
 */
class EnginesAgreeTest {

  private static final double MAX_ABS = 1e-4;
  private static final double MIN_COSINE = 0.99999;

  @ParameterizedTest
  @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5", "e5-small-v2"})
  void pytorchMatchesOnnxRuntimeAtEveryBatchSize(String name) {
    ModelSpec pytorch = TestData.torchScript(name);
    ModelSpec onnx = ModelRegistry.builtIn().get(name);
    List<String> texts = new ArrayList<>(TestData.exampleTexts());
    texts.addAll(List.of("a", "Short query?", "déjà vu — naïve café, 東京"));
    float[][] reference =
        WindowedEmbedder.embedAll(ModelCache.get(onnx, 1), BatchSettings.DEFAULT, texts);
    EncoderModel model = ModelCache.get(pytorch, 1);
    for (BatchSettings settings :
        List.of(
            new BatchSettings(1, 1024, 1),
            new BatchSettings(3, 100_000, 3),
            new BatchSettings(16, 8192, 64))) {
      float[][] vectors = WindowedEmbedder.embedAll(model, settings, texts);
      for (int i = 0; i < texts.size(); i++) {
        double maxAbs = 0;
        for (int c = 0; c < reference[i].length; c++) {
          maxAbs = Math.max(maxAbs, Math.abs(reference[i][c] - vectors[i][c]));
        }
        String where = name + ", " + settings.maxRows() + " rows per batch, text " + i;
        assertEquals(reference[i].length, vectors[i].length, where);
        assertTrue(maxAbs <= MAX_ABS, where + ": max abs difference " + maxAbs);
        double cosine = Vectors.cosine(reference[i], vectors[i]);
        assertTrue(cosine >= MIN_COSINE, where + ": cosine " + cosine);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"all-minilm-l6-v2"})
  void fingerprintNamesTheEngineAndPrecision(String name) {
    ModelSpec pytorch = TestData.torchScript(name);
    ModelSpec onnx = ModelRegistry.builtIn().get(name);
    assertNotEquals(onnx.fingerprint(), pytorch.fingerprint());
    assertNotEquals(pytorch.fingerprint(), pytorch.withDtype("bfloat16").fingerprint());
    assertEquals(onnx.fingerprint(), pytorch.withEngine("onnxruntime").fingerprint());

    IllegalArgumentException onOnnx =
        assertThrows(IllegalArgumentException.class, () -> onnx.withDtype("float16"));
    assertTrue(
        onOnnx.getMessage().startsWith("Cannot set models." + name + ".dtype to float16"),
        onOnnx.getMessage());
    ModelFileException wrongWeights =
        assertThrows(
            ModelFileException.class,
            () -> EncoderModel.load(pytorch.withDtype("float16"), EnginePlan.cpu(1)));
    assertTrue(
        wrongWeights.getMessage().contains("holds float32 weights"), wrongWeights.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"all-minilm-l6-v2"})
  void aModelWithoutTorchScriptCannotRunOnPyTorch(String name) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelRegistry.builtIn().get(name).withEngine("pytorch"));
    assertTrue(
        e.getMessage().startsWith("Cannot set models." + name + ".files.torchscript"),
        e.getMessage());
  }
}
