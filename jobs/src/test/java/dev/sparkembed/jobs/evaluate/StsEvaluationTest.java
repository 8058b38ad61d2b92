package dev.sparkembed.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.SparkEmbed;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.model.ModelRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The STS benchmark's development split (../shared/data/stsb/sts-dev.csv, 1,500 pairs). */
class StsEvaluationTest {

  @TempDir Path dir;

  @Test
  void miniLmOnTheDevSplitScoresAtLeastItsPublishedTestScore() {
    StsPairs pairs = StsPairs.read(TestData.shared("stsb/sts-dev.csv"));
    assertEquals(1500, pairs.size(), "extra trailing columns are ignored, no pair is lost");
    double score =
        StsEvaluation.spearman(ModelRegistry.builtIn().get("all-minilm-l6-v2"), pairs, 2);
    // Published on the test split: 82.03; the dev split is the easier one.
    assertTrue(score > 82.03 && score < 90, "Spearman x 100 = " + score);
  }

  @Test
  void theCommandLineSetsThePrefixPerRun() throws Exception {
    Path sample = dir.resolve("sts-sample.csv");
    Files.write(sample, Files.readAllLines(TestData.shared("stsb/sts-dev.csv")).subList(0, 60));
    StringWriter out = new StringWriter();
    int code =
        SparkEmbed.run(
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            "evaluate",
            "sts",
            "--input",
            sample.toString(),
            "--models",
            "e5-small-v2-q",
            "--passage-prefix",
            "query: ");
    assertEquals(0, code);
    assertTrue(
        out.toString().startsWith("e5-small-v2-q: STS Spearman x 100 = ")
            && out.toString()
                .contains("over 60 pairs (passage prefix 'query: '; onnxruntime, dynamic_int8)"),
        out.toString());
  }
}
