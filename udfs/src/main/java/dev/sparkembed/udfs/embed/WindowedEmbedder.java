package dev.sparkembed.udfs.embed;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.sparkembed.udfs.engine.DeviceMemory;
import dev.sparkembed.udfs.engine.EncodedBatch;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.EngineStageMetrics;
import dev.sparkembed.udfs.engine.Vectors;
import dev.sparkembed.udfs.text.TokenizedText;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds a stream of items window by window: each window of texts is tokenized, sorted by length,
 * cut into token-budget batches and run through one predictor. Memory is bounded by the window,
 * whatever the stream's length. Paragraphs longer than the model's max length, or than the token
 * budget of one batch when that is smaller, are truncated or, with {@link LongText#chunk()},
 * embedded in overlapping windows that are pooled into one vector. Items are passages, formatted
 * with the model's passage prefix unless a {@link TextRole} says they are queries. An item whose
 * text is null or empty is not embedded: it comes out with a null vector and no tokens.
 *
 * <p>On a GPU the next window is tokenized on another thread while this one runs, so the device
 * does not wait on the CPU; and a batch that runs out of device memory is split in two and retried,
 * lowering the token budget for the batches after it.
 */
public final class WindowedEmbedder {

  private static final Logger LOG = LoggerFactory.getLogger(WindowedEmbedder.class);
  private static final ExecutorService TOKENIZERS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "sparkembed-tokenizer");
            thread.setDaemon(true);
            return thread;
          });

  /** Told after every engine call; used for progress. */
  public interface BatchListener {
    void batchDone(int rows, long tokens);
  }

  /** Runs one padded batch through the engine. */
  public interface BatchRunner {
    float[][] run(EncodedBatch batch) throws TranslateException;
  }

  private final EncoderModel model;
  private final BatchRunner runner;
  private final LongText longText;
  private final BatchListener listener;
  private final boolean overlapTokenizing;
  private final TextRole role;
  private final TaskTimes times;
  private BatchSettings settings;

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
    this(model, predictor, settings, longText, listener, TextRole.PASSAGE);
  }

  /** Embeds the items' texts in {@code role}: as passages or as queries. */
  public WindowedEmbedder(
      EncoderModel model,
      Predictor<EncodedBatch, float[][]> predictor,
      BatchSettings settings,
      LongText longText,
      BatchListener listener,
      TextRole role) {
    this(model, predictor, settings, longText, listener, role, new TaskTimes());
  }

  /**
   * Embeds the items' texts in {@code role}, adding the time each stage takes to {@code times} (the
   * predictor's engine steps too: this sets its metrics).
   */
  public WindowedEmbedder(
      EncoderModel model,
      Predictor<EncodedBatch, float[][]> predictor,
      BatchSettings settings,
      LongText longText,
      BatchListener listener,
      TextRole role,
      TaskTimes times) {
    this(
        model,
        batch -> model.embed(predictor, batch),
        settings,
        longText,
        listener,
        model.plan().onGpu(),
        role,
        times);
    predictor.setMetrics(new EngineStageMetrics(times));
  }

  /**
   * @param runner runs each batch; a runner that throws an out-of-memory error gets the batch again
   *     in halves
   * @param overlapTokenizing tokenize the next window on another thread while this one runs
   */
  public WindowedEmbedder(
      EncoderModel model,
      BatchRunner runner,
      BatchSettings settings,
      LongText longText,
      BatchListener listener,
      boolean overlapTokenizing) {
    this(
        model,
        runner,
        settings,
        longText,
        listener,
        overlapTokenizing,
        TextRole.PASSAGE,
        new TaskTimes());
  }

  private WindowedEmbedder(
      EncoderModel model,
      BatchRunner runner,
      BatchSettings settings,
      LongText longText,
      BatchListener listener,
      boolean overlapTokenizing,
      TextRole role,
      TaskTimes times) {
    this.model = model;
    this.runner = runner;
    this.settings = settings.forModel(model.spec());
    this.longText = longText;
    this.listener = listener;
    this.overlapTokenizing = overlapTokenizing;
    this.role = role;
    this.times = times;
  }

  /**
   * Lazily embeds {@code items}.
   *
   * @param textOf the text to embed, before it is formatted for its role; null or empty: none
   * @param describe names an item in error messages
   */
  public <T> Iterator<Embedded<T>> embed(
      Iterator<T> items, Function<T, String> textOf, Function<T, String> describe) {
    return new Iterator<>() {
      private final ArrayDeque<Embedded<T>> ready = new ArrayDeque<>();
      private Future<Window<T>> next;

      @Override
      public boolean hasNext() {
        long start = System.nanoTime();
        while (ready.isEmpty() && (next != null || items.hasNext())) {
          Future<Window<T>> current = next != null ? next : tokenizeLater(items, textOf, false);
          next = overlapTokenizing && items.hasNext() ? tokenizeLater(items, textOf, true) : null;
          embedWindow(await(current), describe, ready);
        }
        times.since(TaskStage.EMBED, start);
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
    return embedAll(model, settings, texts, TextRole.PASSAGE);
  }

  /**
   * Embeds queries as the model's authors do: each after the model's query instruction for {@code
   * task} (null: the model's default task), never the passage prefix; in the list's order.
   */
  public static float[][] embedQueries(
      EncoderModel model, BatchSettings settings, List<String> queries, String task) {
    return embedAll(model, settings, queries, TextRole.query(task));
  }

  /**
   * Embeds a list whole in {@code role}, through a predictor of its own that is closed after; in
   * the list's order, a null vector for a null or empty text.
   */
  public static float[][] embedAll(
      EncoderModel model, BatchSettings settings, List<String> texts, TextRole role) {
    try (Predictor<EncodedBatch, float[][]> predictor = model.newPredictor()) {
      return new WindowedEmbedder(
              model,
              batch -> model.embed(predictor, batch),
              settings,
              LongText.TRUNCATE,
              (rows, tokens) -> {},
              false,
              role,
              new TaskTimes())
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

  /** A window of items, tokenized: long paragraphs cut into their pieces when chunking. */
  private record Window<T>(
      List<T> items,
      TokenizedText[] tokenized,
      TokenizedText[] pieces,
      int[] owners,
      int[] piecesPerItem) {}

  /**
   * Takes the next window's items from {@code items} on this thread (a task's input iterator is not
   * thread-safe) and tokenizes them, on another thread when {@code elsewhere}.
   */
  private <T> Future<Window<T>> tokenizeLater(
      Iterator<T> items, Function<T, String> textOf, boolean elsewhere) {
    long start = System.nanoTime();
    List<T> window = new ArrayList<>(settings.windowRows());
    List<String> texts = new ArrayList<>(settings.windowRows());
    while (window.size() < settings.windowRows() && items.hasNext()) {
      T item = items.next();
      window.add(item);
      String text = textOf.apply(item);
      texts.add(text == null || text.isEmpty() ? null : role.format(model.spec().text(), text));
    }
    times.since(TaskStage.INPUT, start);
    Callable<Window<T>> tokenize =
        () -> {
          long tokenizing = System.nanoTime();
          Window<T> tokenized = tokenize(window, texts);
          times.since(TaskStage.TOKENIZE, tokenizing);
          return tokenized;
        };
    if (elsewhere) {
      return TOKENIZERS.submit(tokenize);
    }
    FutureTask<Window<T>> now = new FutureTask<>(tokenize);
    now.run();
    return now;
  }

  private <T> Window<T> tokenize(List<T> window, List<String> texts) {
    // one text alone never exceeds the batch's token budget: it is cut or chunked to fit
    int limit = Math.min(model.tokenizer().maxLength(), settings.maxTokens());
    TokenizedText[] tokenized = tokenizePresent(texts, limit);
    int promptTokens = model.promptTokens(role.prompt(model.spec().text()));
    List<TokenizedText> pieces = new ArrayList<>(tokenized.length);
    List<Integer> owners = new ArrayList<>(tokenized.length);
    int[] piecesPerItem = new int[tokenized.length];
    for (int i = 0; i < tokenized.length; i++) {
      if (tokenized[i] == null) {
        continue;
      }
      List<TokenizedText> parts =
          longText.chunk() && tokenized[i].truncated()
              ? model.tokenizer().chunks(texts.get(i), longText.overlap(), limit)
              : List.of(tokenized[i]);
      for (TokenizedText part : parts) {
        // only a paragraph's first window starts with the prompt
        pieces.add(part == parts.get(0) ? part.withPromptTokens(promptTokens) : part);
        owners.add(i);
      }
      piecesPerItem[i] = parts.size();
    }
    return new Window<>(
        window,
        tokenized,
        pieces.toArray(new TokenizedText[0]),
        owners.stream().mapToInt(Integer::intValue).toArray(),
        piecesPerItem);
  }

  /** The texts tokenized, null where a text is null (nothing to embed). */
  private TokenizedText[] tokenizePresent(List<String> texts, int limit) {
    List<String> present = new ArrayList<>(texts.size());
    for (String text : texts) {
      if (text != null) {
        present.add(text);
      }
    }
    if (present.size() == texts.size()) {
      return model.tokenizer().tokenize(texts, limit);
    }
    TokenizedText[] some =
        present.isEmpty() ? new TokenizedText[0] : model.tokenizer().tokenize(present, limit);
    TokenizedText[] all = new TokenizedText[texts.size()];
    for (int i = 0, next = 0; i < all.length; i++) {
      all[i] = texts.get(i) == null ? null : some[next++];
    }
    return all;
  }

  private <W> W await(Future<W> window) {
    long start = System.nanoTime();
    try {
      return window.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while tokenizing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      times.since(TaskStage.TOKENS_WAIT, start);
    }
  }

  private <T> void embedWindow(
      Window<T> window, Function<T, String> describe, ArrayDeque<Embedded<T>> out) {
    TokenizedText[] all = window.pieces();
    int[] owners = window.owners();
    int[] remaining = window.piecesPerItem().clone();
    float[][] vectors = new float[all.length][];
    long planning = System.nanoTime();
    List<int[]> batches = TokenBudgetBatcher.plan(all, settings);
    times.since(TaskStage.BATCH, planning);
    for (int[] batch : batches) {
      try {
        runShrinking(all, batch, vectors);
      } catch (TranslateException | RuntimeException e) {
        throw new IllegalStateException(
            String.format(
                "Model %s failed on a batch of %d texts of up to %d tokens (first: %s): %s",
                model.spec().name(),
                batch.length,
                all[batch[0]].length(),
                describe.apply(window.items().get(owners[batch[0]])),
                e.getMessage()),
            e);
      }
      long tokens = 0;
      int finishedRows = 0;
      for (int p : batch) {
        tokens += all[p].length();
        if (--remaining[owners[p]] == 0) {
          finishedRows++;
        }
      }
      listener.batchDone(finishedRows, tokens);
    }
    int p = 0;
    for (int i = 0; i < window.items().size(); i++) {
      int start = p;
      while (p < owners.length && owners[p] == i) {
        p++;
      }
      TokenizedText whole = window.tokenized()[i];
      if (whole == null) {
        out.add(new Embedded<>(window.items().get(i), null, 0, 0, 0));
        continue;
      }
      float[] vector = p - start == 1 ? vectors[start] : pool(all, vectors, start, p);
      int embeddedTokens = 0;
      for (int piece = start; piece < p; piece++) {
        embeddedTokens += all[piece].length();
      }
      out.add(
          new Embedded<>(
              window.items().get(i), vector, whole.tokenCount(), embeddedTokens, p - start));
    }
  }

  /**
   * Runs {@code batch} (indexes into {@code all}) and stores its vectors; when the device runs out
   * of memory, runs it again in halves and lowers the token budget for the batches to come.
   */
  private void runShrinking(TokenizedText[] all, int[] batch, float[][] vectors)
      throws TranslateException {
    long padding = System.nanoTime();
    List<TokenizedText> rows = new ArrayList<>(batch.length);
    for (int p : batch) {
      rows.add(all[p]);
    }
    EncodedBatch encoded = EncodedBatch.of(rows, model.spec().text().leftPadding());
    times.since(TaskStage.BATCH, padding);
    float[][] batchVectors;
    long calling = System.nanoTime();
    try {
      batchVectors = runner.run(encoded);
      times.since(TaskStage.ENGINE_CALL, calling);
    } catch (TranslateException | RuntimeException e) {
      if (batch.length == 1 || !DeviceMemory.isOutOfMemory(e)) {
        throw e;
      }
      int padded = (int) Math.min(Integer.MAX_VALUE, encoded.paddedTokens());
      settings = settings.withMaxTokens(Math.max(16, Math.min(settings.maxTokens(), padded / 2)));
      LOG.warn(
          "sparkembed: model {} ran out of device memory on {} texts x {} tokens; retrying in"
              + " halves, at most {} tokens per batch from now on",
          model.spec().name(),
          batch.length,
          encoded.seqLen(),
          settings.maxTokens());
      DeviceMemory.releaseCached(model);
      int half = batch.length / 2;
      runShrinking(all, Arrays.copyOfRange(batch, 0, half), vectors);
      runShrinking(all, Arrays.copyOfRange(batch, half, batch.length), vectors);
      return;
    }
    for (int r = 0; r < batch.length; r++) {
      vectors[batch[r]] = batchVectors[r];
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
    if (model.spec().head().normalize()) {
      Vectors.normalizeInPlace(mean);
    }
    return mean;
  }
}
