package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.sparkembed.udfs.embed.BatchSettings;
import java.util.List;

/**
 * One benchmark run: three ways of embedding the same rows with the same model, timed in the same
 * JVM on the same hardware, and their ratios; and the same engine loop and job on other engines.
 *
 * @param cpuFeatures the CPU flags that decide each precision's speed (AVX2, AVX-512, AMX, ...)
 * @param reference the engine loop and job on the reference engine, ONNX Runtime when the model has
 *     an ONNX file; its fields are written at the top level of the JSON
 */
public record BenchReport(
    String model,
    String input,
    long rows,
    int cores,
    String cpuFeatures,
    BatchSettings batch,
    @JsonUnwrapped EngineRun reference,
    double baselineSeconds,
    List<EngineRun> otherEngines) {

  @JsonProperty
  public double baselineTokensPerS() {
    return reference.tokens() / baselineSeconds;
  }

  @JsonProperty
  public double jobVsEngine() {
    return reference.jobTokensPerS() / reference.engineTokensPerS();
  }

  @JsonProperty
  public double jobVsBaseline() {
    return reference.jobTokensPerS() / baselineTokensPerS();
  }

  String toJson() {
    return ReportJson.of(this);
  }
}
