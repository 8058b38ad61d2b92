package dev.sparkembed.udfs.engine;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * A loaded embedding model: the engine's model, its tokenizer, and the spec they were loaded from.
 * Thread-safe; each thread embeds through its own {@link Predictor}.
 */
public final class EncoderModel implements AutoCloseable {

  private final ModelSpec spec;
  private final ZooModel<EncodedBatch, float[][]> model;
  private final TextTokenizer tokenizer;
  private final Semaphore calls;

  private EncoderModel(
      ModelSpec spec,
      ZooModel<EncodedBatch, float[][]> model,
      TextTokenizer tokenizer,
      int concurrentCalls) {
    this.spec = spec;
    this.model = model;
    this.tokenizer = tokenizer;
    this.calls = new Semaphore(concurrentCalls, true);
  }

  /** Loads {@code spec} on CPU, its files verified by SHA-256, sharing cores as planned. */
  public static EncoderModel load(ModelSpec spec, CpuPlan plan) {
    return load(spec, plan.threadsPerCall(), plan.streams());
  }

  /**
   * Loads {@code spec} with the engine's default threads (all physical cores per call) and no limit
   * on concurrent calls: what a caller that does not plan its cores gets.
   */
  public static EncoderModel loadUnplanned(ModelSpec spec) {
    return load(spec, 0, Integer.MAX_VALUE);
  }

  private static EncoderModel load(ModelSpec spec, int threads, int concurrentCalls) {
    System.setProperty("ai.djl.offline", "true");
    Path modelFile = ModelStore.localCopy(spec.files().model());
    Path tokenizerFile = ModelStore.localCopy(spec.files().tokenizer());
    Criteria.Builder<EncodedBatch, float[][]> builder =
        Criteria.builder()
            .setTypes(EncodedBatch.class, float[][].class)
            .optModelPath(modelFile)
            .optEngine("OnnxRuntime")
            .optTranslator(new EncoderTranslator(spec));
    if (threads > 0) {
      builder
          .optOption("interOpNumThreads", "1")
          .optOption("intraOpNumThreads", Integer.toString(threads));
    }
    Criteria<EncodedBatch, float[][]> criteria = builder.build();
    TextTokenizer tokenizer = new TextTokenizer(tokenizerFile, spec.maxLength());
    try {
      return new EncoderModel(spec, criteria.loadModel(), tokenizer, concurrentCalls);
    } catch (IOException | ModelNotFoundException | MalformedModelException e) {
      tokenizer.close();
      throw new IllegalStateException(
          "Cannot load model " + spec.name() + " from " + modelFile + ": " + e.getMessage(), e);
    }
  }

  public ModelSpec spec() {
    return spec;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** A predictor for the calling thread; close it when the thread's work is done. */
  public Predictor<EncodedBatch, float[][]> newPredictor() {
    return model.newPredictor();
  }

  /**
   * Runs one batch through {@code predictor}, waiting while the planned number of calls already
   * run, so concurrent tasks never oversubscribe the cores.
   */
  public float[][] embed(Predictor<EncodedBatch, float[][]> predictor, EncodedBatch batch)
      throws TranslateException {
    calls.acquireUninterruptibly();
    try {
      return predictor.predict(batch);
    } finally {
      calls.release();
    }
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
