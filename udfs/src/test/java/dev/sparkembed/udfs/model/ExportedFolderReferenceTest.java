package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.ModelCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folders that deploy/models/export_model.py wrote on a GPU machine from small random-weight
 * sentence-transformers 6.0.1 models (transformers 5.17.0), embedded here through the executor path
 * and compared with the vectors SentenceTransformer.encode computed there
 * (src/test/resources/exported/README.md says how they were made).
 */
class ExportedFolderReferenceTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static Path folder(String name) throws Exception {
    return Path.of(ExportedFolderReferenceTest.class.getResource("/exported/" + name).toURI());
  }

  private static float maxDifference(String name, ModelSpec spec) throws Exception {
    return maxDifference(folder(name), spec);
  }

  private static float maxDifference(Path folder, ModelSpec spec) throws Exception {
    JsonNode reference = JSON.readTree(folder.resolve("reference.json").toFile());
    List<String> texts = new ArrayList<>();
    reference.get("texts").forEach(t -> texts.add(t.asText()));
    float[][] vectors =
        WindowedEmbedder.embedAll(ModelCache.get(spec, 1), BatchSettings.DEFAULT, texts);
    float worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      JsonNode expected = reference.get("vectors").get(i);
      assertEquals(expected.size(), vectors[i].length, "dimension of text " + i);
      for (int j = 0; j < vectors[i].length; j++) {
        worst = Math.max(worst, Math.abs(vectors[i][j] - (float) expected.get(j).asDouble()));
      }
    }
    return worst;
  }

  @Test
  void bertMeanPoolingFolderMatchesSentenceTransformers() throws Exception {
    ModelSpec spec = ModelFolder.read(folder("minilm-tiny").toString());
    assertEquals(Pooling.MEAN, spec.head().pooling());
    assertEquals(256, spec.text().maxLength());
    float worst = maxDifference("minilm-tiny", spec);
    assertTrue(worst <= 1e-5f, "ONNX Runtime vs sentence-transformers: " + worst);
  }

  @Test
  void bertFolderOnPyTorchMatchesSentenceTransformers() throws Exception {
    ModelSpec spec =
        ModelFolder.read(folder("minilm-tiny").toString()).withEngine(EngineType.PYTORCH);
    float worst = maxDifference("minilm-tiny", spec);
    assertTrue(worst <= 1e-5f, "PyTorch (TorchScript) vs sentence-transformers: " + worst);
  }

  @Test
  void aFolderInSentenceTransformers6sOwnLayoutIsReadAsItsAuthorsRunIt() throws Exception {
    // sentence-transformers 6 writes pooling as one name and no max_seq_length
    Path copy = copyOf("minilm-tiny");
    JSON.writeValue(
        copy.resolve("1_Pooling/config.json").toFile(),
        JSON.createObjectNode().put("embedding_dimension", 16).put("pooling_mode", "mean"));
    ObjectNode bert =
        (ObjectNode) JSON.readTree(copy.resolve("sentence_bert_config.json").toFile());
    bert.remove("max_seq_length");
    JSON.writeValue(copy.resolve("sentence_bert_config.json").toFile(), bert);

    ModelSpec spec = ModelFolder.read(copy.toString());
    assertEquals(Pooling.MEAN, spec.head().pooling());
    assertEquals(256, spec.text().maxLength(), "tokenizer_config.json's model_max_length");
    assertTrue(maxDifference(copy, spec) <= 1e-5f);

    JSON.writeValue(
        copy.resolve("1_Pooling/config.json").toFile(),
        JSON.createObjectNode().put("pooling_mode", "weightedmean"));
    ModelFileException e =
        assertThrows(ModelFileException.class, () -> ModelFolder.read(copy.toString()));
    assertTrue(e.getMessage().contains("weightedmean"), e.getMessage());
  }

  private Path copyOf(String name) throws Exception {
    Path from = folder(name);
    Path to = dir.resolve(name);
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.sorted().toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
    return to;
  }
}
