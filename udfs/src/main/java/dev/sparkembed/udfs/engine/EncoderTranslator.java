package dev.sparkembed.udfs.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.Pooling;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a padded batch into the encoder's named inputs and its last hidden state into one pooled,
 * normalised vector per row, in plain Java arrays. Decoder exports that take {@code position_ids}
 * get positions counted over each row's real tokens, so they are right under either padding side.
 */
final class EncoderTranslator implements NoBatchifyTranslator<EncodedBatch, float[][]> {

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String POSITION_IDS = "position_ids";
  private static final List<String> INPUTS =
      List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS, POSITION_IDS);
  private static final List<String> HIDDEN_STATE_NAMES =
      List.of("last_hidden_state", "token_embeddings");
  private static final List<String> POOLED_NAMES = List.of("sentence_embedding", "embeddings");
  private static final String BATCH = "batch";

  private final ModelSpec spec;
  private final DenseStack dense;
  private volatile List<String> inputNames;

  EncoderTranslator(ModelSpec spec, DenseStack dense) {
    this.spec = spec;
    this.dense = dense;
  }

  @Override
  public void prepare(TranslatorContext ctx) {
    if (spec.runtime().engine() == EngineType.PYTORCH) {
      // TorchScript takes its inputs by position; sparkembed's exports take all three
      inputNames = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
      return;
    }
    List<String> names = new ArrayList<>(ctx.getModel().describeInput().keys());
    for (String name : names) {
      if (!INPUTS.contains(name)) {
        throw new IllegalStateException(
            "Model "
                + spec.name()
                + " takes an input named '"
                + name
                + "'; sparkembed feeds input_ids, attention_mask, token_type_ids and"
                + " position_ids");
      }
    }
    inputNames = names;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, EncodedBatch batch) {
    ctx.setAttachment(BATCH, batch);
    NDManager manager = ctx.getNDManager();
    Shape shape = new Shape(batch.rows(), batch.seqLen());
    NDList inputs = new NDList(inputNames.size());
    for (String name : inputNames) {
      long[] data =
          switch (name) {
            case INPUT_IDS -> batch.inputIds();
            case ATTENTION_MASK -> batch.attentionMask();
            case POSITION_IDS -> batch.positionIds();
            default -> batch.tokenTypeIds();
          };
      NDArray array = manager.create(LongBuffer.wrap(data), shape);
      array.setName(name);
      inputs.add(array);
    }
    return inputs;
  }

  @Override
  public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
    EncodedBatch batch = (EncodedBatch) ctx.getAttachment(BATCH);
    Pooling pooling = spec.head().pooling();
    NDArray hidden = pooling.graphPools() ? pooledOutput(outputs) : hiddenState(outputs);
    Shape shape = hidden.getShape();
    int seqLen = pooling.graphPools() ? 1 : batch.seqLen();
    int width = (int) shape.get(shape.dimension() - 1);
    if (shape.get(0) != batch.rows() || (!pooling.graphPools() && shape.get(1) != seqLen)) {
      throw new IllegalStateException(
          "Model "
              + spec.name()
              + " returned an output of shape "
              + shape
              + " for a batch of "
              + batch.rows()
              + " x "
              + batch.seqLen());
    }
    if (dense.inputWidth() >= 0 && dense.inputWidth() != width) {
      throw new IllegalStateException(
          String.format(
              "Model %s returns %d-component vectors, but its first Dense layer takes %d",
              spec.name(), width, dense.inputWidth()));
    }
    float[] values =
        hidden.getDataType() == DataType.FLOAT32
            ? hidden.toFloatArray()
            : hidden.toType(DataType.FLOAT32, false).toFloatArray();
    float[][] vectors = new float[batch.rows()][];
    for (int r = 0; r < batch.rows(); r++) {
      int skipped = batch.promptTokens()[r];
      int start = pooling.graphPools() ? 0 : batch.starts()[r] + skipped;
      int length = pooling.graphPools() ? 1 : batch.lengths()[r] - skipped;
      float[] pooled = dense.apply(pooling.pool(values, r, seqLen, width, start, length));
      if (spec.head().dimension() > pooled.length) {
        throw new IllegalStateException(
            String.format(
                "Cannot set models.%s.dimension to %d: the model's vectors have %d components",
                spec.name(), spec.head().dimension(), pooled.length));
      }
      vectors[r] = Vectors.finish(pooled, spec.head().dimension(), spec.head().normalize());
    }
    return vectors;
  }

  private NDArray pooledOutput(NDList outputs) {
    for (String name : POOLED_NAMES) {
      NDArray named = outputs.get(name);
      if (named != null) {
        return named;
      }
    }
    for (NDArray output : outputs) {
      if (output.getShape().dimension() == 2) {
        return output;
      }
    }
    throw new IllegalStateException(
        "Model "
            + spec.name()
            + " has pooling: model, but no [batch, width] output; outputs: "
            + outputs.getShapes());
  }

  private NDArray hiddenState(NDList outputs) {
    for (String name : HIDDEN_STATE_NAMES) {
      NDArray named = outputs.get(name);
      if (named != null) {
        return named;
      }
    }
    for (NDArray output : outputs) {
      if (output.getShape().dimension() == 3) {
        return output;
      }
    }
    throw new IllegalStateException(
        "Model "
            + spec.name()
            + " has no [batch, tokens, width] output; outputs: "
            + outputs.getShapes());
  }
}
