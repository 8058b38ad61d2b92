package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The engine loop and the whole job, timed with one engine and precision. */
public record EngineRun(
    String engine,
    String dtype,
    long tokens,
    int partitions,
    double engineSeconds,
    double jobSeconds) {

  @JsonProperty
  public double engineTokensPerS() {
    return tokens / engineSeconds;
  }

  @JsonProperty
  public double jobTokensPerS() {
    return tokens / jobSeconds;
  }
}
