package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparkembed.jobs.embed.RunTimes;
import java.util.Map;

/**
 * The engine loop and the whole job, timed with one engine and precision.
 *
 * @param engineStages seconds of the engine loop in each task stage (tokenize, forward, ...)
 * @param jobStages where the job's time went: the driver's stages, the tasks' stages
 */
public record EngineRun(
    String engine,
    String dtype,
    long tokens,
    int partitions,
    double engineSeconds,
    double jobSeconds,
    Map<String, Double> engineStages,
    RunTimes jobStages) {

  @JsonProperty
  public double engineTokensPerS() {
    return tokens / engineSeconds;
  }

  @JsonProperty
  public double jobTokensPerS() {
    return tokens / jobSeconds;
  }
}
