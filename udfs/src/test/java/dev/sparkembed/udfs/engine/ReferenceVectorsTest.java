package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelRuntime;
import dev.sparkembed.udfs.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in models reproduce the vectors other projects publish for them
 * (../shared/data/reference-vectors), within the tolerance each source uses, on ONNX Runtime;
 * {@link PyTorchReferenceVectorsTest} runs the same checks on PyTorch.
 */
class ReferenceVectorsTest {

  private static final String MINILM = "sentence-transformers/all-MiniLM-L6-v2";
  private static JsonNode references;
  private ModelSpec spec;

  @BeforeAll
  static void load() throws IOException {
    references =
        new ObjectMapper()
            .readTree(TestData.shared("reference-vectors/reference_vectors.json").toFile())
            .get("references");
  }

  @BeforeEach
  void defaultModel() {
    spec = model("all-minilm-l6-v2");
  }

  /** The built-in model {@code name} as this class runs it. */
  ModelSpec model(String name) {
    return ModelRegistry.builtIn().get(name);
  }

  private static JsonNode reference(String id) {
    for (JsonNode entry : references) {
      if (entry.get("id").asText().equals(id)) {
        return entry;
      }
    }
    throw new AssertionError("no reference " + id);
  }

  static float[][] embed(ModelSpec model, List<String> texts) {
    return WindowedEmbedder.embedAll(ModelCache.get(model, 1), BatchSettings.DEFAULT, texts);
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  @Test
  void fastembedFirstFiveComponents() {
    JsonNode expected = reference("fastembed_py_first5").get("values").get(MINILM).get("first5");
    float[] vector = embed(spec, List.of("hello world", "flag embedding"))[0];
    double[] want = doubles(expected);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], vector[i], 1e-3, "component " + i);
    }
    JsonNode bge =
        reference("fastembed_py_first5").get("values").get("BAAI/bge-small-en-v1.5").get("first5");
    float[] bgeVector = embed(model("bge-small-en-v1.5"), List.of("hello world"))[0];
    double[] bgeWant = doubles(bge);
    for (int i = 0; i < bgeWant.length; i++) {
      assertEquals(bgeWant[i], bgeVector[i], 1e-3, "bge component " + i);
    }
  }

  @Test
  void fastembedRsComponentSums() {
    JsonNode entry = reference("fastembed_rs_vector_sums");
    List<String> inputs = new ArrayList<>();
    entry.get("inputs").forEach(n -> inputs.add(n.asText()));
    checkSums(
        spec,
        inputs,
        entry
            .get("values")
            .get("AllMiniLML6V2 (Qdrant/all-MiniLM-L6-v2-onnx model.onnx, mean pooling)"));
  }

  @Test
  void langchain4jSelectedComponents() {
    JsonNode values = reference("langchain4j_dims_0_1_382_383").get("values");
    checkComponents(spec, values.get(MINILM), 0.01);
    checkComponents(model("bge-small-en-v1.5"), values.get("BAAI/bge-small-en-v1.5"), 0.01);
    JsonNode e5 = values.get("intfloat/e5-small-v2");
    ModelSpec e5Query = model("e5-small-v2").withPassagePrefix("query: ");
    String withoutPrefix = e5.get("input").asText().substring("query: ".length());
    checkComponents(e5Query, e5, withoutPrefix, 0.01);
  }

  @Test
  void quantizedModelsMatchLangchain4jComponents() {
    JsonNode values = reference("langchain4j_dims_0_1_382_383").get("values");
    checkComponents(model("all-minilm-l6-v2-q"), values.get(MINILM), 0.18);
    JsonNode e5 = values.get("intfloat/e5-small-v2");
    String withoutPrefix = e5.get("input").asText().substring("query: ".length());
    checkComponents(model("e5-small-v2-q").withPassagePrefix("query: "), e5, withoutPrefix, 0.16);
  }

  @Test
  void bgeUsesClsPoolingAsPublished() throws IOException {
    ModelSpec bge = model("bge-small-en-v1.5");
    JsonNode sums = reference("fastembed_rs_vector_sums");
    List<String> inputs = new ArrayList<>();
    sums.get("inputs").forEach(n -> inputs.add(n.asText()));
    checkSums(
        bge,
        inputs,
        sums.get("values")
            .get("BGESmallENV15 (Xenova/bge-small-en-v1.5 onnx/model.onnx, CLS pooling)"));
    String text =
        Files.readString(TestData.shared("reference-vectors/fastembed-rs-sample_text.txt"));
    float[] vector = embed(bge.withMaxLength(384), List.of(text))[0];
    double[] want =
        doubles(
            reference("fastembed_rs_long_text_first10")
                .get("values")
                .get("BAAI/bge-small-en-v1.5 (CLS; tol 1e-3 in source)"));
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], vector[i], 1e-3, "component " + i);
    }
  }

  /**
   * The published int8 sums come from the four inputs embedded as one padded batch, where dynamic
   * quantization shares one activation scale across the batch. The same graph run that way must
   * give them; sparkembed itself runs such a model one text per call, and those vectors must stay
   * within the measured distance of the batched ones.
   */
  @Test
  void quantizedMiniLmMatchesItsPublishedSumsWhenBatchedAsTheSourceDid() {
    JsonNode sums = reference("fastembed_rs_vector_sums");
    List<String> inputs = new ArrayList<>();
    sums.get("inputs").forEach(n -> inputs.add(n.asText()));
    ModelSpec quantized = model("all-minilm-l6-v2-q");
    ModelRuntime runtime = quantized.runtime();
    ModelSpec batchedAsSource =
        new ModelSpec(
            quantized.name(),
            quantized.displayName(),
            quantized.source(),
            new ModelRuntime(runtime.engine(), runtime.dtype(), runtime.files()),
            quantized.text(),
            quantized.head());
    float[][] batched =
        WindowedEmbedder.embedAll(
            ModelCache.get(batchedAsSource, 1), BatchSettings.DEFAULT, inputs);
    JsonNode want =
        sums.get("values")
            .get(
                "AllMiniLML6V2Q (Xenova/all-MiniLM-L6-v2 onnx/model_quantized.onnx, mean, dynamic"
                    + " int8)");
    float[][] alone = embed(quantized, inputs);
    for (int i = 0; i < inputs.size(); i++) {
      assertEquals(want.get(i).asDouble(), sum(batched[i]), 1e-2, "batched: " + inputs.get(i));
      assertEquals(1, cosine(batched[i], alone[i]), 0.03, "one text per call: " + inputs.get(i));
    }
  }

  private static double sum(float[] vector) {
    double sum = 0;
    for (float x : vector) {
      sum += x;
    }
    return sum;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static void checkComponents(ModelSpec model, JsonNode entry, double relative) {
    checkComponents(model, entry, entry.get("input").asText(), relative);
  }

  private static void checkComponents(
      ModelSpec model, JsonNode entry, String input, double relative) {
    float[] vector = embed(model, List.of(input))[0];
    double[] want = doubles(entry.get("values"));
    JsonNode idx = entry.get("idx");
    for (int i = 0; i < want.length; i++) {
      int component = idx.get(i).asInt();
      assertEquals(
          want[i],
          vector[component],
          Math.abs(want[i]) * relative,
          model.name() + " component " + component);
    }
  }

  private static void checkSums(ModelSpec model, List<String> inputs, JsonNode want) {
    float[][] vectors = embed(model, inputs);
    for (int i = 0; i < inputs.size(); i++) {
      assertEquals(
          want.get(i).asDouble(), sum(vectors[i]), 1e-2, model.name() + ": " + inputs.get(i));
    }
  }

  @Test
  void sentenceTransformersReadmeSimilarities() {
    JsonNode entry = reference("sbert_readme_similarity");
    List<String> inputs = new ArrayList<>();
    entry.get("inputs").forEach(n -> inputs.add(n.asText()));
    float[][] vectors = embed(spec, inputs);
    JsonNode matrix = entry.get("cosine_similarity_matrix");
    for (int i = 0; i < inputs.size(); i++) {
      for (int j = 0; j < inputs.size(); j++) {
        double want = matrix.get(i).get(j).asDouble();
        assertEquals(want, Vectors.cosine(vectors[i], vectors[j]), 6e-4, i + " vs " + j);
      }
    }
  }

  @Test
  void longTextTruncatedAt384TokensMatchesFirstTenComponents() throws IOException {
    JsonNode entry = reference("fastembed_rs_long_text_first10");
    String text =
        Files.readString(TestData.shared("reference-vectors/fastembed-rs-sample_text.txt"));
    ModelSpec at384 = spec.withMaxLength(384);
    assertTrue(
        ModelCache.get(at384, 1).tokenizer().tokenize(text).truncated(),
        "the sample text is longer than 384 tokens");
    float[] vector = embed(at384, List.of(text))[0];
    double[] want =
        doubles(
            entry
                .get("values")
                .get("sentence-transformers/all-MiniLM-L6-v2 (mean; tol 1e-6 in source)"));
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], vector[i], 1e-5, "component " + i);
    }
  }
}
