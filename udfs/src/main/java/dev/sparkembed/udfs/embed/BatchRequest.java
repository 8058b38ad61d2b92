package dev.sparkembed.udfs.embed;

import java.io.Serializable;

/**
 * The batch options a user set; each one left unset takes the default of the device its task runs
 * on ({@link BatchSettings#DEFAULT} on CPU, {@link BatchSettings#GPU_DEFAULT} on a GPU). A value
 * set to exactly the CPU default stays what it is on a GPU.
 *
 * @param maxRows --batch-size, or null when not set
 * @param maxTokens --batch-tokens, or null when not set
 * @param windowRows --window-rows, or null when not set
 */
public record BatchRequest(Integer maxRows, Integer maxTokens, Integer windowRows)
    implements Serializable {

  /** Nothing set: every value from the device's defaults. */
  public static final BatchRequest DEVICE_DEFAULTS = new BatchRequest(null, null, null);

  /** Every value set, to {@code settings}'. */
  public static BatchRequest of(BatchSettings settings) {
    return new BatchRequest(settings.maxRows(), settings.maxTokens(), settings.windowRows());
  }

  /**
   * The settings a task on a GPU ({@code onGpu}) or on CPU embeds with. A default batch size is
   * never above a window set smaller, and a default window never below a batch size set larger.
   */
  public BatchSettings on(boolean onGpu) {
    BatchSettings defaults = onGpu ? BatchSettings.GPU_DEFAULT : BatchSettings.DEFAULT;
    int rows =
        maxRows != null
            ? maxRows
            : Math.min(defaults.maxRows(), windowRows != null ? windowRows : Integer.MAX_VALUE);
    return new BatchSettings(
        rows,
        maxTokens != null ? maxTokens : defaults.maxTokens(),
        windowRows != null ? windowRows : Math.max(defaults.windowRows(), rows));
  }

  /** Checks the values on both devices, so a bad one stops the run before any work. */
  public BatchRequest checked() {
    on(false);
    on(true);
    return this;
  }
}
