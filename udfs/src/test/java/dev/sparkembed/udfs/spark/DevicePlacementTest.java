package dev.sparkembed.udfs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.ModelCache;
import dev.sparkembed.udfs.engine.Placement;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import org.junit.jupiter.api.Test;

/**
 * Where a task's model goes when Spark assigned it a GPU, or none, on this machine without CUDA.
 * {@code GpuSchedulingIT} runs the same on a standalone cluster with fake GPUs.
 */
class DevicePlacementTest {

  private static final ModelSpec MINILM = ModelRegistry.builtIn().get("all-minilm-l6-v2");

  @Test
  void aTaskWithoutAGpuRunsOnCpuUnlessAGpuIsRequired() {
    assertFalse(DeviceSettings.AUTO.placementFor(null).wantsGpu());
    assertFalse(DeviceSettings.CPU.placementFor(null).wantsGpu());
    IllegalStateException required =
        assertThrows(
            IllegalStateException.class, () -> new DeviceSettings("gpu", false).placementFor(null));
    assertTrue(
        required.getMessage().startsWith("--device gpu, but Spark assigned this task no GPU"));
    assertFalse(new DeviceSettings("gpu", true).placementFor(null).wantsGpu());
  }

  @Test
  void aGpuTheEngineCannotSeeFailsTheTaskUnlessCpuFallbackIsAllowed() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ModelCache.get(MINILM, new Placement("7", false), 1));
    assertTrue(
        e.getMessage()
            .startsWith("Spark assigned this task GPU 7, but the onnxruntime engine sees 0"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--cpu-fallback"), e.getMessage());

    int before = ModelCache.loads();
    EncoderModel first = ModelCache.get(MINILM, new Placement("5", true), 1);
    EncoderModel second = ModelCache.get(MINILM, new Placement("6", true), 1);
    assertEquals(before + 2, ModelCache.loads(), "one model per GPU address");
    assertSame(first, ModelCache.get(MINILM, new Placement("5", true), 1), "shared on one GPU");
    assertFalse(first.plan().onGpu(), "no CUDA here: the fallback runs on CPU");
    assertFalse(second.plan().onGpu());
  }

  @Test
  void aGpuAddressThatIsNotADeviceIndexIsNamed() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Placement("gpu-a", true).gpuIndex());
    assertTrue(e.getMessage().contains("'gpu-a'"), e.getMessage());
  }
}
