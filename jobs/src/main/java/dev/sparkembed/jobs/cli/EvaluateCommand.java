package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.evaluate.StsEvaluation;
import dev.sparkembed.jobs.evaluate.StsPairs;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.Quantization;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sparkembed evaluate sts}: how well a model's similarities follow human judgement. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = "Evaluate models on a benchmark.",
    subcommands = {EvaluateCommand.Sts.class})
public final class EvaluateCommand {

  @Command(
      name = "sts",
      mixinStandardHelpOptions = true,
      description =
          "STS benchmark: Spearman x 100 between the cosine of each pair's embeddings and the"
              + " gold score, on this machine without Spark.")
  static final class Sts implements Callable<Integer> {
    @Mixin ModelOptions models;
    @Spec CommandSpec command;

    @Option(
        names = "--input",
        required = true,
        paramLabel = "FILE",
        description = "Pairs in the STS benchmark's tab-separated layout (e.g. sts-test.csv).")
    Path input;

    @Override
    public Integer call() {
      List<ModelSpec> specs;
      StsPairs pairs;
      try {
        specs = models.resolve();
        pairs = StsPairs.read(input);
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        throw new UserError(e.getMessage(), e);
      }
      PrintWriter out = command.commandLine().getOut();
      int cores = Runtime.getRuntime().availableProcessors();
      for (ModelSpec spec : specs) {
        double score = StsEvaluation.spearman(spec, pairs, cores);
        out.printf(
            Locale.ROOT,
            "%s: STS Spearman x 100 = %.2f over %d pairs (passage prefix '%s'; %s, %s)%n",
            spec.name(),
            score,
            pairs.size(),
            spec.text().passagePrefix(),
            spec.runtime().engine(),
            spec.runtime().quantization() == Quantization.NONE
                ? spec.runtime().dtype()
                : spec.runtime().quantization());
      }
      return 0;
    }
  }
}
