package dev.sparkembed.udfs.engine;

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
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bfloat16 CPU tier (deploy/models/torchscript_from_onnx.py --dtype bfloat16: bfloat16 matrix
 * products, float32 everything else) run by DJL's PyTorch engine keeps float32's vectors: cosine ≥
 * 0.9999 to the float32 ONNX Runtime model on every row of real arXiv paragraphs, for MiniLM and
 * for e5-small-v2, the built-in closest to that bar. The udfs build runs the first test twice: as
 * is, on the Linear kernels oneDNN chooses for this CPU, and with oneDNN held to AVX2, on the
 * portable ones, for the models {@code sparkembed.bfloat16.models} names (execution
 * bfloat16-portable-kernels).
 */
class Bfloat16TierTest {

  private static final String MODEL = "all-minilm-l6-v2";
  private static final String MODELS =
      System.getProperty("sparkembed.bfloat16.models", "all-minilm-l6-v2,e5-small-v2");
  private static final double MIN_COSINE = 0.9999;
  private static final String KERNELS =
      System.getProperty("sparkembed.bfloat16.kernels", "chosen for this CPU");

  /** Every 25th paragraph of the corpus and its 20 longest: short, typical and truncated rows. */
  private static List<String> sample() {
    List<String> all = TestData.texts(TestData.shared("unarxive/paragraphs.jsonl"));
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < all.size(); i += 25) {
      sample.add(all.get(i));
    }
    all.stream()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .limit(20)
        .forEach(sample::add);
    return sample;
  }

  static List<String> models() {
    return List.of(MODELS.split(","));
  }

  @ParameterizedTest
  @MethodSource("models")
  void keepsFloat32VectorsOnRealParagraphs(String model) {
    List<String> texts = sample();
    ModelSpec bfloat16 = TestData.torchScript(model, model + "-bfloat16.pt").withDtype("bfloat16");
    ModelSpec float32 = ModelRegistry.builtIn().get(model);
    float[][] reference =
        WindowedEmbedder.embedAll(ModelCache.get(float32, 1), BatchSettings.DEFAULT, texts);
    float[][] vectors =
        WindowedEmbedder.embedAll(ModelCache.get(bfloat16, 1), BatchSettings.DEFAULT, texts);
    double lowest = 1;
    boolean anyDifferent = false;
    for (int i = 0; i < texts.size(); i++) {
      double cosine = Vectors.cosine(reference[i], vectors[i]);
      lowest = Math.min(lowest, cosine);
      anyDifferent |= cosine < 1 - 1e-7;
    }
    assertTrue(
        lowest >= MIN_COSINE,
        "lowest cosine to float32 over "
            + texts.size()
            + " rows, kernels "
            + KERNELS
            + ": "
            + lowest);
    assertTrue(anyDifferent, "the products really ran in bfloat16");
    assertNotEquals(float32.fingerprint(), bfloat16.fingerprint());
  }

  @Test
  void isRefusedAsFloat32() {
    ModelSpec asFloat32 = TestData.torchScript(MODEL, MODEL + "-bfloat16.pt");
    ModelFileException e =
        assertThrows(
            ModelFileException.class, () -> EncoderModel.load(asFloat32, EnginePlan.cpu(1)));
    assertTrue(e.getMessage().contains("holds bfloat16 weights"), e.getMessage());
  }
}
