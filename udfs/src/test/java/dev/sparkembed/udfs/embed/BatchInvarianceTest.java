package dev.sparkembed.udfs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
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
    EncoderModel model = ModelCache.get(ModelRegistry.builtIn().get(name), 1);
    List<float[][]> runs = new ArrayList<>();
    for (BatchSettings settings :
        List.of(
            new BatchSettings(1, 1024, 1),
            new BatchSettings(7, 100_000, 7),
            BatchSettings.DEFAULT,
            new BatchSettings(64, 16_384, 64))) {
      runs.add(WindowedEmbedder.embedAll(model, settings, texts));
    }
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
