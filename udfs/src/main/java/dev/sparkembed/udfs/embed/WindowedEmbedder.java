package dev.sparkembed.udfs.embed;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.Vectors;
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
 * whatever the stream's length. Paragraphs longer than the model's max length are truncated or,
 * with {@link LongText#chunk()}, embedded in overlapping windows that are pooled into one vector.
 */
public final class WindowedEmbedder {

  /** Told after every engine call; used for progress. */
  public interface BatchListener {
    void batchDone(int rows, long tokens);
  }

  private final EncoderModel model;
  private final Predictor<EncodedBatch, float[][]> predictor;
  private final BatchSettings settings;
  private final LongText longText;
  private final BatchListener listener;

  public WindowedEmbedder(
      EncoderModel model,
      Predictor<EncodedBatch, float[][]> predictor,
      BatchSettings settings,
      BatchListener listener) {
    this(model, predictor, settings, LongText.TRUNCATE, listener);
  }

  public WindowedEmbedder(
      EncoderModel model,
      Predictor<EncodedBatch, float[][]> predictor,
      BatchSettings settings,
      LongText longText,
      BatchListener listener) {
    this.model = model;
    this.predictor = predictor;
    this.settings = settings;
    this.longText = longText;
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

  /**
   * Embeds a list whole with {@code model}, through a predictor of its own that is closed after,
   * and returns the vectors in the list's order.
   */
  public static float[][] embedAll(EncoderModel model, BatchSettings settings, List<String> texts) {
    try (Predictor<EncodedBatch, float[][]> predictor = model.newPredictor()) {
      return new WindowedEmbedder(model, predictor, settings, (rows, tokens) -> {})
          .embedInOrder(texts);
    }
  }

  private float[][] embedInOrder(List<String> texts) {
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
    List<TokenizedText> pieces = new ArrayList<>(tokenized.length);
    List<Integer> owners = new ArrayList<>(tokenized.length);
    int[] remaining = new int[tokenized.length];
    for (int i = 0; i < tokenized.length; i++) {
      List<TokenizedText> parts =
          longText.chunk() && tokenized[i].truncated()
              ? model.tokenizer().chunks(texts.get(i), longText.overlap())
              : List.of(tokenized[i]);
      for (TokenizedText part : parts) {
        pieces.add(part);
        owners.add(i);
      }
      remaining[i] = parts.size();
    }
    TokenizedText[] all = pieces.toArray(new TokenizedText[0]);
    float[][] vectors = new float[all.length][];
    for (int[] batch : TokenBudgetBatcher.plan(all, settings)) {
      List<TokenizedText> rows = new ArrayList<>(batch.length);
      for (int p : batch) {
        rows.add(all[p]);
      }
      EncodedBatch encoded = EncodedBatch.of(rows, model.spec().leftPadding());
      float[][] batchVectors;
      try {
        batchVectors = model.embed(predictor, encoded);
      } catch (TranslateException | RuntimeException e) {
        throw new IllegalStateException(
            String.format(
                "Model %s failed on a batch of %d texts of up to %d tokens (first: %s): %s",
                model.spec().name(),
                batch.length,
                encoded.seqLen(),
                describe.apply(window.get(owners.get(batch[0]))),
                e.getMessage()),
            e);
      }
      long tokens = 0;
      int finishedRows = 0;
      for (int r = 0; r < batch.length; r++) {
        vectors[batch[r]] = batchVectors[r];
        tokens += all[batch[r]].length();
        if (--remaining[owners.get(batch[r])] == 0) {
          finishedRows++;
        }
      }
      listener.batchDone(finishedRows, tokens);
    }
    int p = 0;
    for (int i = 0; i < window.size(); i++) {
      int start = p;
      while (p < owners.size() && owners.get(p) == i) {
        p++;
      }
      float[] vector = p - start == 1 ? vectors[start] : pool(all, vectors, start, p);
      int embeddedTokens = p - start == 1 ? all[start].length() : tokenized[i].tokenCount();
      out.add(
          new Embedded<>(
              window.get(i), vector, tokenized[i].tokenCount(), embeddedTokens, p - start));
    }
  }

  /** The token-weighted mean of a paragraph's window vectors, re-normalised when the model is. */
  private float[] pool(TokenizedText[] pieces, float[][] vectors, int from, int to) {
    float[] mean = new float[vectors[from].length];
    for (int p = from; p < to; p++) {
      float weight = pieces[p].length();
      for (int c = 0; c < mean.length; c++) {
        mean[c] += weight * vectors[p][c];
      }
    }
    if (model.spec().normalize()) {
      Vectors.normalizeInPlace(mean);
    }
    return mean;
  }
}
