package dev.sparkembed.jobs.bench;

import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.text.TokenizedText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What the DJL Spark extension's {@code TextEmbedder} does, for comparison: the model is loaded in
 * every partition with the engine's default threads, rows go to the engine 100 at a time in input
 * order, padded to the longest of each batch. Same tokenizer, max length and pooling as the job, so
 * the vectors and token counts are the same.
 */
final class NaiveBaseline implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  static final int BATCH_ROWS = 100;

  private final ModelSpec spec;

  NaiveBaseline(ModelSpec spec) {
    this.spec = spec;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) throws Exception {
    List<Row> out = new ArrayList<>();
    try (EncoderModel model = EncoderModel.loadUnplanned(spec);
        var predictor = model.newPredictor()) {
      List<Row> batch = new ArrayList<>(BATCH_ROWS);
      while (rows.hasNext()) {
        batch.add(rows.next());
        if (batch.size() == BATCH_ROWS || !rows.hasNext()) {
          List<String> texts = new ArrayList<>(batch.size());
          for (Row row : batch) {
            texts.add(spec.text().passagePrefix() + row.getString(2));
          }
          TokenizedText[] tokenized = model.tokenizer().tokenize(texts);
          float[][] vectors = predictor.predict(EncodedBatch.of(List.of(tokenized)));
          for (int i = 0; i < batch.size(); i++) {
            Row in = batch.get(i);
            out.add(
                RowFactory.create(
                    in.getString(0),
                    in.getInt(1),
                    vectors[i],
                    tokenized[i].tokenCount(),
                    tokenized[i].truncated(),
                    1,
                    in.getString(3)));
          }
          batch.clear();
        }
      }
    }
    return out.iterator();
  }
}
