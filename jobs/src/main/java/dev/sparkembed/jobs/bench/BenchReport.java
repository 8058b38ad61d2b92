package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sparkembed.udfs.embed.BatchSettings;

/**
 * One benchmark run: three ways of embedding the same rows with the same model, timed in the same
 * JVM on the same hardware, and their ratios.
 */
public record BenchReport(
    String model,
    String input,
    long rows,
    long tokens,
    int cores,
    int partitions,
    BatchSettings batch,
    double engineSeconds,
    double jobSeconds,
    double baselineSeconds,
    double engineTokensPerS,
    double jobTokensPerS,
    double baselineTokensPerS,
    double jobVsEngine,
    double jobVsBaseline) {

  static BenchReport of(
      String model,
      String input,
      long rows,
      long tokens,
      int cores,
      int partitions,
      BatchSettings batch,
      double engineSeconds,
      double jobSeconds,
      double baselineSeconds) {
    double engine = tokens / engineSeconds;
    double job = tokens / jobSeconds;
    double baseline = tokens / baselineSeconds;
    return new BenchReport(
        model,
        input,
        rows,
        tokens,
        cores,
        partitions,
        batch,
        engineSeconds,
        jobSeconds,
        baselineSeconds,
        engine,
        job,
        baseline,
        job / engine,
        job / baseline);
  }

  String toJson() {
    try {
      return JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build()
          .writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
