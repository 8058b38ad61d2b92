package dev.sparkembed.udfs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the GPU path adds to batching, on a real model: a batch the device has no memory for is
 * split and retried, and the next window is tokenized while this one runs. No GPU is here, so the
 * device's out-of-memory error is raised by the runner above a token limit, with CUDA's wording.
 */
class DeviceBatchingTest {

  private static final EncoderModel MODEL =
      ModelCache.get(ModelRegistry.builtIn().get("all-minilm-l6-v2"), 1);

  private static float[][] embed(
      WindowedEmbedder.BatchRunner runner, BatchSettings settings, boolean overlap) {
    List<String> texts = TestData.exampleTexts();
    float[][] out = new float[texts.size()][];
    List<Integer> order = new ArrayList<>();
    Iterator<Embedded<Integer>> embedded =
        new WindowedEmbedder(MODEL, runner, settings, LongText.TRUNCATE, (r, t) -> {}, overlap)
            .embed(
                java.util.stream.IntStream.range(0, texts.size()).boxed().iterator(),
                texts::get,
                i -> "text #" + i);
    while (embedded.hasNext()) {
      Embedded<Integer> e = embedded.next();
      order.add(e.item());
      out[e.item()] = e.vector();
    }
    for (int i = 0; i < order.size(); i++) {
      assertEquals(i, order.get(i), "rows come back in input order");
    }
    return out;
  }

  private static void assertSameVectors(float[][] want, float[][] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      for (int c = 0; c < want[i].length; c++) {
        assertEquals(want[i][c], got[i][c], 1e-5, "text " + i + " component " + c);
      }
    }
  }

  @Test
  void aBatchThatRunsOutOfDeviceMemoryIsSplitAndTheBudgetLowered() {
    try (Predictor<EncodedBatch, float[][]> predictor = MODEL.newPredictor()) {
      WindowedEmbedder.BatchRunner real = batch -> MODEL.embed(predictor, batch);
      float[][] want = embed(real, BatchSettings.DEFAULT, false);

      int limit = 400;
      AtomicInteger outOfMemory = new AtomicInteger();
      List<Long> ran = new ArrayList<>();
      WindowedEmbedder.BatchRunner smallDevice =
          batch -> {
            if (batch.paddedTokens() > limit) {
              outOfMemory.incrementAndGet();
              throw new EngineException(
                  "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total)");
            }
            ran.add(batch.paddedTokens());
            return real.run(batch);
          };
      float[][] got = embed(smallDevice, new BatchSettings(8, 1024, 8), false);
      assertSameVectors(want, got);
      assertTrue(outOfMemory.get() > 0, "the limit was hit");
      assertTrue(ran.stream().allMatch(t -> t <= limit), "every batch that ran fit: " + ran);
      assertTrue(
          outOfMemory.get() < 8,
          "the budget is lowered after the first failures, not hit on every window: "
              + outOfMemory.get());
    }
  }

  @Test
  void onlyOutOfMemoryIsRetriedAndASingleTextThatDoesNotFitFails() {
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException other =
        assertThrows(
            IllegalStateException.class,
            () ->
                embed(
                    batch -> {
                      calls.incrementAndGet();
                      throw new EngineException("Expected 3 inputs, got 2");
                    },
                    BatchSettings.DEFAULT,
                    false));
    assertEquals(1, calls.get(), "a failure that is not out-of-memory is not retried");
    assertTrue(other.getMessage().contains("Expected 3 inputs"), other.getMessage());

    IllegalStateException tooBig =
        assertThrows(
            IllegalStateException.class,
            () ->
                embed(
                    batch -> {
                      throw new EngineException("CUDA error: out of memory");
                    },
                    BatchSettings.DEFAULT,
                    false));
    assertTrue(tooBig.getMessage().contains("out of memory"), tooBig.getMessage());
    assertTrue(tooBig.getMessage().contains("(first: text #"), tooBig.getMessage());
  }

  @Test
  void tokenizingTheNextWindowAheadChangesNothing() {
    try (Predictor<EncodedBatch, float[][]> predictor = MODEL.newPredictor()) {
      WindowedEmbedder.BatchRunner real = batch -> MODEL.embed(predictor, batch);
      BatchSettings smallWindows = new BatchSettings(4, 1024, 5);
      assertSameVectors(embed(real, smallWindows, false), embed(real, smallWindows, true));
    }
  }
}
