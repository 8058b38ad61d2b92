package dev.sparkembed.udfs.engine;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.text.TextTokenizer;
import dev.sparkembed.udfs.text.TokenizedText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;

/**
 * A loaded embedding model: the engine's model, its tokenizer, and the spec they were loaded from.
 * Thread-safe; each thread embeds through its own {@link Predictor}.
 */
public final class EncoderModel implements AutoCloseable {

  private final ModelSpec spec;
  private final ZooModel<EncodedBatch, float[][]> model;
  private final TextTokenizer tokenizer;
  private final EnginePlan plan;
  private final Semaphore calls;

  private EncoderModel(
      ModelSpec spec,
      ZooModel<EncodedBatch, float[][]> model,
      TextTokenizer tokenizer,
      EnginePlan plan) {
    this.spec = spec;
    this.model = model;
    this.tokenizer = tokenizer;
    this.plan = plan;
    this.calls = new Semaphore(plan.concurrentCalls(), true);
  }

  /** Loads {@code spec} as planned, its files verified by SHA-256. */
  public static EncoderModel load(ModelSpec spec, EnginePlan plan) {
    return load(spec, plan, plan.threadsPerCall());
  }

  /**
   * Loads {@code spec} on CPU with the engine's default threads (all physical cores per call) and
   * no limit on concurrent calls: what a caller that does not plan its cores gets.
   */
  public static EncoderModel loadUnplanned(ModelSpec spec) {
    return load(spec, EnginePlan.cpu(0, Integer.MAX_VALUE), 0);
  }

  private static EncoderModel load(ModelSpec spec, EnginePlan plan, int threads) {
    System.setProperty("ai.djl.offline", "true");
    Path weights = ModelStore.localCopy(spec.weights());
    Path tokenizerFile = ModelStore.localCopy(spec.runtime().files().tokenizer());
    Criteria.Builder<EncodedBatch, float[][]> builder =
        Criteria.builder()
            .setTypes(EncodedBatch.class, float[][].class)
            .optModelPath(weights)
            .optDevice(plan.device())
            .optTranslator(new EncoderTranslator(spec, DenseStack.load(spec.head().dense())));
    if (spec.runtime().engine() == EngineType.PYTORCH) {
      PyTorchSetup.beforeFirstLoad(threads);
      builder.optEngine(EngineType.PYTORCH.djlName()).optOption("mapLocation", "true");
    } else {
      // without this, DJL starts PyTorch beside ONNX Runtime for array arithmetic we never use
      System.setProperty("ai.djl.onnx.disable_alternative", "true");
      builder.optEngine(EngineType.ONNXRUNTIME.djlName());
      if (threads > 0) {
        builder
            .optOption("interOpNumThreads", "1")
            .optOption("intraOpNumThreads", Integer.toString(threads));
      }
    }
    Criteria<EncodedBatch, float[][]> criteria = builder.build();
    TextTokenizer tokenizer =
        new TextTokenizer(tokenizerFile, spec.text().maxLength(), spec.text().eosToken());
    ZooModel<EncodedBatch, float[][]> model = null;
    try {
      model = criteria.loadModel();
      PyTorchSetup.checkDtype(spec, model);
      EncoderModel loaded = new EncoderModel(spec, model, tokenizer, plan);
      loaded.checkVocabulary(tokenizerFile);
      return loaded;
    } catch (IOException
        | ModelNotFoundException
        | MalformedModelException
        | TranslateException
        | RuntimeException e) {
      tokenizer.close();
      if (model != null) {
        model.close();
      }
      if (e instanceof ModelFileException mismatch) {
        throw mismatch;
      }
      throw new IllegalStateException(
          "Cannot load model "
              + spec.name()
              + " with "
              + spec.runtime().engine()
              + " on "
              + plan.device()
              + " from "
              + weights
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Runs the tokenizer's highest token id through the model: a tokenizer with more tokens than the
   * model's embedding table (a tokenizer of another model) fails here, once, not on some batch.
   */
  private void checkVocabulary(Path tokenizerFile) throws TranslateException {
    TokenizedText specials = tokenizer.tokenize("");
    if (specials.length() > 0) {
      embedOnce(specials.ids(), specials.typeIds()); // a model that cannot run fails as itself
    }
    TokenizedText probe = tokenizer.tokenize("probe");
    long[] ids = probe.ids().clone();
    ids[ids.length / 2] = tokenizer.highestId();
    try {
      embedOnce(ids, probe.typeIds());
    } catch (TranslateException | RuntimeException e) {
      throw new ModelFileException(
          String.format(
              Locale.ROOT,
              "model %s cannot embed token id %,d, which its tokenizer (%s, %,d tokens) produces:"
                  + " the tokenizer does not belong to this model; check files.tokenizer (%s)",
              spec.name(),
              tokenizer.highestId(),
              tokenizerFile.getFileName(),
              tokenizer.highestId() + 1,
              firstLine(e.getMessage())));
    }
  }

  private void embedOnce(long[] ids, long[] typeIds) throws TranslateException {
    EncodedBatch batch =
        EncodedBatch.of(
            List.of(new TokenizedText(ids, typeIds, ids.length)), spec.text().leftPadding());
    try (Predictor<EncodedBatch, float[][]> predictor = newPredictor()) {
      predictor.predict(batch);
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** Where this model runs and how its callers share it. */
  public EnginePlan plan() {
    return plan;
  }

  public ModelSpec spec() {
    return spec;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The leading tokens pooling leaves out of every text that starts with {@code prompt}: the
   * prompt's, for a model that does not pool them ({@code include_prompt: false}); else 0.
   */
  public int promptTokens(String prompt) {
    return spec.head().includePrompt() ? 0 : tokenizer.promptTokens(prompt);
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
