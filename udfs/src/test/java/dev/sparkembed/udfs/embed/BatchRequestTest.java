package dev.sparkembed.udfs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BatchRequestTest {

  @Test
  void unsetOptionsTakeTheDefaultsOfTheTasksDevice() {
    assertEquals(BatchSettings.DEFAULT, BatchRequest.DEVICE_DEFAULTS.on(false));
    assertEquals(BatchSettings.GPU_DEFAULT, BatchRequest.DEVICE_DEFAULTS.on(true));
  }

  @Test
  void anOptionSetToTheCpuDefaultKeepsThatValueOnAGpu() {
    assertEquals(BatchSettings.DEFAULT, BatchRequest.of(BatchSettings.DEFAULT).on(true));
    assertEquals(new BatchSettings(16, 32_768, 8_192), new BatchRequest(16, null, null).on(true));
    assertEquals(new BatchSettings(16, 1024, 4096), new BatchRequest(null, 1024, null).on(false));
  }

  @Test
  void defaultsGiveWayToTheOptionsSet() {
    assertEquals(new BatchSettings(100, 32_768, 100), new BatchRequest(null, null, 100).on(true));
    assertEquals(new BatchSettings(5000, 1024, 5000), new BatchRequest(5000, null, null).on(false));
  }

  @Test
  void badValuesAreRefusedBeforeAnyTaskRuns() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new BatchRequest(200, null, 100).checked());
    assertEquals(
        "Cannot set --window-rows to 100: must be at least the batch size (200)", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new BatchRequest(null, 8, null).checked());
    assertEquals("Cannot set --batch-tokens to 8: must be at least 16", e.getMessage());
  }
}
