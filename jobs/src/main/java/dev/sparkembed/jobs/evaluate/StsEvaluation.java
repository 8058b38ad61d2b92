package dev.sparkembed.jobs.evaluate;

import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.EnginePlan;
import dev.sparkembed.udfs.engine.Vectors;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The STS benchmark measure: Spearman correlation, x 100, between the cosine of each pair's two
 * embeddings and the gold score. Sentences are embedded as paragraphs, with the model's passage
 * prefix (set it per run: e5 wants {@code query: } on both sides of a symmetric task).
 */
public final class StsEvaluation {
  private StsEvaluation() {}

  public static double spearman(ModelSpec spec, StsPairs pairs, int cores) {
    Map<String, Integer> index = new LinkedHashMap<>();
    for (List<String> side : List.of(pairs.first(), pairs.second())) {
      for (String sentence : side) {
        index.putIfAbsent(sentence, index.size());
      }
    }
    float[][] vectors;
    try (EncoderModel model = EncoderModel.load(spec, EnginePlan.cpu(cores, 1))) {
      vectors =
          WindowedEmbedder.embedAll(model, BatchSettings.DEFAULT, new ArrayList<>(index.keySet()));
    }
    double[] cosines = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      cosines[i] =
          Vectors.cosine(
              vectors[index.get(pairs.first().get(i))], vectors[index.get(pairs.second().get(i))]);
    }
    return 100 * Spearman.of(cosines, pairs.gold());
  }
}
