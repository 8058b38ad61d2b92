package dev.sparkembed.udfs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.text.TokenizedText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A text's vector does not depend on which texts share its batch, nor on the batch settings. */
class BatchInvarianceTest {

  /**
   * Float32 models batch freely; the int8 models (ONNX Runtime's dynamic quantization, one
   * activation scale per batch) run one text per engine call, so they agree too.
   */
  @ParameterizedTest
  @CsvSource({
    "all-minilm-l6-v2, 1e-5",
    "all-minilm-l6-v2-q, 1e-6",
    "bge-small-en-v1.5-q, 1e-6",
    "e5-small-v2-q, 1e-6"
  })
  void vectorsAgreeAloneAndInAnyBatch(String name, double tolerance) {
    List<String> texts = TestData.exampleTexts();
    List<float[][]> runs = embedEachWay(ModelRegistry.builtIn().get(name), texts);
    float[][] alone = runs.get(0);
    for (float[][] run : runs.subList(1, runs.size())) {
      for (int i = 0; i < texts.size(); i++) {
        assertEquals(384, run[i].length);
        for (int c = 0; c < 384; c++) {
          assertEquals(alone[i][c], run[i][c], tolerance, name + " text " + i + " component " + c);
        }
      }
    }
  }

  /**
   * The bfloat16 tier rounds every product to bfloat16, and oneDNN picks its kernels by batch
   * shape, so a product's last bit can differ from one batching to another: its vectors agree to
   * within that rounding, not to 1e-5 (on the examples: cosine 0.999993 and 6e-4 per component at
   * worst).
   */
  @Test
  void bfloat16TierVectorsAgreeWithinItsRounding() {
    List<String> texts = TestData.exampleTexts();
    ModelSpec bfloat16 =
        TestData.torchScript("all-minilm-l6-v2", "all-minilm-l6-v2-bfloat16.pt")
            .withDtype("bfloat16");
    List<float[][]> runs = embedEachWay(bfloat16, texts);
    float[][] alone = runs.get(0);
    for (float[][] run : runs.subList(1, runs.size())) {
      for (int i = 0; i < texts.size(); i++) {
        double cosine = 0;
        for (int c = 0; c < 384; c++) {
          assertEquals(alone[i][c], run[i][c], 2e-3, "text " + i + " component " + c);
          cosine += alone[i][c] * run[i][c];
        }
        assertTrue(cosine >= 0.99998, "text " + i + " alone and batched: cosine " + cosine);
      }
    }
  }

  /** The texts' vectors alone, then in batches of 7, the default batches and batches of 64. */
  private static List<float[][]> embedEachWay(ModelSpec spec, List<String> texts) {
    EncoderModel model = ModelCache.get(spec, 1);
    List<float[][]> runs = new ArrayList<>();
    for (BatchSettings settings :
        List.of(
            new BatchSettings(1, 1024, 1),
            new BatchSettings(7, 100_000, 7),
            BatchSettings.DEFAULT,
            new BatchSettings(64, 16_384, 64))) {
      runs.add(WindowedEmbedder.embedAll(model, settings, texts));
    }
    return runs;
  }

  @Test
  void dynamicInt8ModelsRunOneTextPerCall() {
    ModelRegistry registry = ModelRegistry.builtIn();
    assertEquals(1, BatchSettings.DEFAULT.forModel(registry.get("all-minilm-l6-v2-q")).maxRows());
    assertEquals(
        BatchSettings.DEFAULT, BatchSettings.DEFAULT.forModel(registry.get("all-minilm-l6-v2")));
  }

  @Test
  void batchesRespectTheBudgetAndCoverEveryTextOnce() {
    EncoderModel model = ModelCache.get(ModelRegistry.builtIn().get("all-minilm-l6-v2"), 1);
    TokenizedText[] tokenized = model.tokenizer().tokenize(TestData.exampleTexts());
    BatchSettings settings = new BatchSettings(5, 600, 100);
    Set<Integer> seen = new HashSet<>();
    int previousLongest = Integer.MAX_VALUE;
    for (int[] batch : TokenBudgetBatcher.plan(tokenized, settings)) {
      int longest = 0;
      for (int i : batch) {
        assertTrue(seen.add(i), "text " + i + " in two batches");
        longest = Math.max(longest, tokenized[i].length());
      }
      assertTrue(batch.length <= settings.maxRows());
      assertTrue(
          batch.length == 1 || (long) batch.length * longest <= settings.maxTokens(),
          "padded size " + batch.length * longest + " over the budget");
      assertTrue(longest <= previousLongest, "batches run longest first");
      previousLongest = longest;
    }
    assertEquals(tokenized.length, seen.size());
  }
}
