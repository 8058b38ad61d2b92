package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sparkembed.udfs.embed.BatchSettings;
import java.util.List;

/**
 * One benchmark run: three ways of embedding the same rows with the same model, timed in the same
 * JVM on the same hardware, and their ratios; and the same engine loop and job on other engines.
 */
public record BenchReport(
    String model,
    String input,
    long rows,
    long tokens,
    int cores,
    int partitions,
    BatchSettings batch,
    String engine,
    double engineSeconds,
    double jobSeconds,
    double baselineSeconds,
    List<EngineRun> otherEngines) {

  @JsonProperty
  public double engineTokensPerS() {
    return tokens / engineSeconds;
  }

  @JsonProperty
  public double jobTokensPerS() {
    return tokens / jobSeconds;
  }

  @JsonProperty
  public double baselineTokensPerS() {
    return tokens / baselineSeconds;
  }

  @JsonProperty
  public double jobVsEngine() {
    return jobTokensPerS() / engineTokensPerS();
  }

  @JsonProperty
  public double jobVsBaseline() {
    return jobTokensPerS() / baselineTokensPerS();
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
