package dev.sparkembed.jobs.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One CPU tier of a bench run: its engine loop and job, against the float32 tier's of the same run;
 * or why it was skipped.
 *
 * @param tier float32, bfloat16 or int8
 * @param model the registry model the tier ran (int8: the model's quantized sibling)
 * @param skipped why the tier did not run (not installed, not stated); null when it ran
 * @param run its engine loop and job; null when skipped
 * @param fidelity its vectors against the float32 tier's, row by row; null when skipped
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TierRun(
    String tier,
    String model,
    String skipped,
    @JsonUnwrapped EngineRun run,
    Double engineVsFloat32,
    Double jobVsFloat32,
    @JsonUnwrapped Fidelity fidelity) {

  static TierRun skipped(String tier, String model, String why) {
    return new TierRun(tier, model, why, null, null, null, null);
  }

  static TierRun measured(String tier, String model, EngineRun run, EngineRun float32, Fidelity f) {
    return new TierRun(
        tier,
        model,
        null,
        run,
        run.engineTokensPerS() / float32.engineTokensPerS(),
        run.jobTokensPerS() / float32.jobTokensPerS(),
        f);
  }
}
