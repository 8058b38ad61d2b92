package dev.sparkembed.jobs.embed;

import dev.sparkembed.jobs.corpus.ValidatedCorpus;
import java.util.List;

/**
 * What a run did.
 *
 * @param rejectedTable where rejected rows are, with their reasons
 * @param times where the run's time went
 */
public record EmbedResult(
    ValidatedCorpus.Counts counts,
    String rejectedTable,
    List<ModelOutcome> models,
    RunTimes times) {

  /** One model's table, or why it failed. */
  public record ModelOutcome(
      String model, String displayName, String table, Manifest manifest, String failure) {
    public boolean succeeded() {
      return failure == null;
    }
  }

  public boolean succeeded() {
    return models.stream().allMatch(ModelOutcome::succeeded);
  }
}
