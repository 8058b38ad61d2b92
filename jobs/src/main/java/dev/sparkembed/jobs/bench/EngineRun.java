package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparkembed.jobs.embed.RunTimes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The engine loop and the whole job, timed with one engine and precision: the best of the rounds
 * measured, each round's times kept.
 *
 * @param engineStages seconds of the engine loop in each task stage (tokenize, forward, ...), from
 *     its best round
 * @param jobStages where the job's time went in its best round: the driver's stages, the tasks'
 * @param engineRounds the engine loop's seconds in each round, in order
 * @param jobRounds the job's seconds in each round, in order
 */
public record EngineRun(
    String engine,
    String dtype,
    long tokens,
    int partitions,
    double engineSeconds,
    double jobSeconds,
    Map<String, Double> engineStages,
    RunTimes jobStages,
    List<Double> engineRounds,
    List<Double> jobRounds) {

  /** The faster engine loop and the faster job of this run and a later round of the same spec. */
  public EngineRun best(EngineRun later) {
    if (later.tokens != tokens) {
      throw new IllegalStateException(
          "rounds of "
              + engine
              + " "
              + dtype
              + " embedded "
              + tokens
              + " and "
              + later.tokens
              + " tokens");
    }
    EngineRun engineBest = later.engineSeconds < engineSeconds ? later : this;
    EngineRun jobBest = later.jobSeconds < jobSeconds ? later : this;
    return new EngineRun(
        engine,
        dtype,
        tokens,
        jobBest.partitions,
        engineBest.engineSeconds,
        jobBest.jobSeconds,
        engineBest.engineStages,
        jobBest.jobStages,
        concat(engineRounds, later.engineRounds),
        concat(jobRounds, later.jobRounds));
  }

  private static List<Double> concat(List<Double> first, List<Double> then) {
    List<Double> all = new ArrayList<>(first);
    all.addAll(then);
    return List.copyOf(all);
  }

  @JsonProperty
  public double engineTokensPerS() {
    return tokens / engineSeconds;
  }

  @JsonProperty
  public double jobTokensPerS() {
    return tokens / jobSeconds;
  }
}
