package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A model whose weights do not fit the GPU's free memory stops before loading, saying both. */
class GpuFitTest {

  @Test
  void weightsLargerThanTheFreeMemoryAreRefusedWithBothSizes() {
    IllegalStateException e =
        assertThrows(
            GpuFit.TooLarge.class,
            () ->
                GpuFit.check(
                    "qwen3-embedding-8b",
                    "model.pt",
                    16_100_000_000L,
                    "gpu(0)",
                    11_900_000_000L,
                    11_000_000_000L));
    assertEquals(
        "Model qwen3-embedding-8b cannot fit gpu(0): its weights (model.pt) are 16.1 GB, and the"
            + " GPU has 11.0 GB free of 11.9 GB; use a GPU with more memory, or export it in"
            + " bfloat16 (deploy/models/export_model.py --dtype bfloat16)",
        e.getMessage());
  }

  @Test
  void weightsThatFitPass() {
    assertDoesNotThrow(
        () ->
            GpuFit.check(
                "m", "model.pt", 1_200_000_000L, "gpu(0)", 80_000_000_000L, 79_000_000_000L));
  }
}
