package dev.sparkembed.udfs.embed;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.text.TokenizedText;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Embeds a stream of items window by window: each window of texts is tokenized, sorted by length,
 * cut into token-budget batches and run through one predictor. Memory is bounded by the window,
 * whatever the stream's length. Results come out in length order within a window.
 */
public final class WindowedEmbedder {

  /** Told after every engine call; used for progress. */
  public interface BatchListener {
    void batchDone(int rows, long tokens);
  }

  private final EncoderModel model;
  private final Predictor<EncodedBatch, float[][]> predictor;
  private final BatchSettings settings;
  private final BatchListener listener;

  public WindowedEmbedder(
      EncoderModel model,
      Predictor<EncodedBatch, float[][]> predictor,
      BatchSettings settings,
      BatchListener listener) {
    this.model = model;
    this.predictor = predictor;
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * Lazily embeds {@code items}.
   *
   * @param textOf the text to embed, before the model's passage prefix
   * @param describe names an item in error messages
   */
  public <T> Iterator<Embedded<T>> embed(
      Iterator<T> items, Function<T, String> textOf, Function<T, String> describe) {
    return new Iterator<>() {
      private final ArrayDeque<Embedded<T>> ready = new ArrayDeque<>();

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && items.hasNext()) {
          List<T> window = new ArrayList<>(settings.windowRows());
          while (window.size() < settings.windowRows() && items.hasNext()) {
            window.add(items.next());
          }
          embedWindow(window, textOf, describe, ready);
        }
        return !ready.isEmpty();
      }

      @Override
      public Embedded<T> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }
    };
  }

  /** Embeds a list whole and returns vectors in the list's order. */
  public float[][] embedAll(List<String> texts) {
    float[][] out = new float[texts.size()][];
    List<Integer> indexes = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      indexes.add(i);
    }
    Iterator<Embedded<Integer>> it = embed(indexes.iterator(), texts::get, i -> "text #" + i);
    while (it.hasNext()) {
      Embedded<Integer> e = it.next();
      out[e.item()] = e.vector();
    }
    return out;
  }

  private <T> void embedWindow(
      List<T> window,
      Function<T, String> textOf,
      Function<T, String> describe,
      ArrayDeque<Embedded<T>> out) {
    String prefix = model.spec().passagePrefix();
    List<String> texts = new ArrayList<>(window.size());
    for (T item : window) {
      texts.add(prefix.isEmpty() ? textOf.apply(item) : prefix + textOf.apply(item));
    }
    TokenizedText[] tokenized = model.tokenizer().tokenize(texts);
    for (int[] batch : TokenBudgetBatcher.plan(tokenized, settings)) {
      List<TokenizedText> rows = new ArrayList<>(batch.length);
      for (int i : batch) {
        rows.add(tokenized[i]);
      }
      EncodedBatch encoded = EncodedBatch.of(rows, model.spec().leftPadding());
      float[][] vectors;
      try {
        vectors = model.embed(predictor, encoded);
      } catch (TranslateException | RuntimeException e) {
        throw new IllegalStateException(
            String.format(
                "Model %s failed on a batch of %d texts of up to %d tokens (first: %s): %s",
                model.spec().name(),
                batch.length,
                encoded.seqLen(),
                describe.apply(window.get(batch[0])),
                e.getMessage()),
            e);
      }
      long tokens = 0;
      for (int r = 0; r < batch.length; r++) {
        TokenizedText text = tokenized[batch[r]];
        tokens += text.length();
        out.add(new Embedded<>(window.get(batch[r]), vectors[r], text.tokenCount(), text.length()));
      }
      listener.batchDone(batch.length, tokens);
    }
  }
}
