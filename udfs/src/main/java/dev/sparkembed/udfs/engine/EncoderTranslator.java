package dev.sparkembed.udfs.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.sparkembed.udfs.model.ModelSpec;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a padded batch into the encoder's named inputs and its last hidden state into one pooled,
 * normalised vector per row, in plain Java arrays.
 */
final class EncoderTranslator implements NoBatchifyTranslator<EncodedBatch, float[][]> {

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final List<String> HIDDEN_STATE_NAMES =
      List.of("last_hidden_state", "token_embeddings");
  private static final String BATCH = "batch";

  private final ModelSpec spec;
  private volatile List<String> inputNames;

  EncoderTranslator(ModelSpec spec) {
    this.spec = spec;
  }

  @Override
  public void prepare(TranslatorContext ctx) {
    if (ModelSpec.PYTORCH.equals(spec.engine())) {
      // TorchScript takes its inputs by position; sparkembed's exports take all three
      inputNames = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
      return;
    }
    List<String> names = new ArrayList<>(ctx.getModel().describeInput().keys());
    for (String name : names) {
      if (!List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).contains(name)) {
        throw new IllegalStateException(
            "Model "
                + spec.name()
                + " takes an input named '"
                + name
                + "'; sparkembed feeds input_ids, attention_mask and token_type_ids");
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
    NDArray hidden = hiddenState(outputs);
    Shape shape = hidden.getShape();
    int width = (int) shape.get(2);
    if (shape.get(0) != batch.rows() || shape.get(1) != batch.seqLen()) {
      throw new IllegalStateException(
          "Model "
              + spec.name()
              + " returned hidden states of shape "
              + shape
              + " for a batch of "
              + batch.rows()
              + " x "
              + batch.seqLen());
    }
    if (spec.dimension() > width) {
      throw new IllegalStateException(
          String.format(
              "Cannot set models.%s.dimension to %d: the model's vectors have %d components",
              spec.name(), spec.dimension(), width));
    }
    float[] values =
        hidden.getDataType() == DataType.FLOAT32
            ? hidden.toFloatArray()
            : hidden.toType(DataType.FLOAT32, false).toFloatArray();
    float[][] vectors = new float[batch.rows()][];
    for (int r = 0; r < batch.rows(); r++) {
      float[] pooled =
          spec.pooling()
              .pool(values, r, batch.seqLen(), width, batch.starts()[r], batch.lengths()[r]);
      vectors[r] = Vectors.finish(pooled, spec.dimension(), spec.normalize());
    }
    return vectors;
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
