package dev.sparkembed.udfs.engine;

import ai.djl.metric.Dimension;
import ai.djl.metric.Metrics;
import ai.djl.metric.Unit;
import dev.sparkembed.udfs.embed.TaskStage;
import dev.sparkembed.udfs.embed.TaskTimes;

/**
 * Takes the times DJL's predictor measures around each call (its translator's input and output
 * steps and the engine's forward pass) into {@link TaskTimes}, keeping none of DJL's per-call
 * records: set on a predictor with {@code setMetrics}.
 */
public final class EngineStageMetrics extends Metrics {

  private final TaskTimes times;

  public EngineStageMetrics(TaskTimes times) {
    this.times = times;
  }

  @Override
  public void addMetric(String name, Number value, Unit unit, Dimension... dimensions) {
    TaskStage stage =
        switch (name) {
          case "Preprocess" -> TaskStage.ENGINE_INPUT;
          case "Inference" -> TaskStage.FORWARD;
          case "Postprocess" -> TaskStage.POOLING;
          default -> null;
        };
    // DJL's predictor times its steps in microseconds
    if (stage != null && unit == Unit.MICROSECONDS) {
      times.add(stage, value.longValue() * 1_000);
    }
  }
}
