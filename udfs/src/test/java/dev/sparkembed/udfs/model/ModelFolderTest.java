package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.ModelCache;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sentence-transformers model folder, built from the built-in MiniLM's own files. */
class ModelFolderTest {

  private static final ModelSpec BUILT_IN = ModelRegistry.builtIn().get("all-minilm-l6-v2");

  @TempDir Path dir;
  Path folder;

  @BeforeEach
  void layOutFolder() throws IOException {
    folder = dir.resolve("all-MiniLM-L6-v2");
    Files.createDirectories(folder.resolve("onnx"));
    Files.createDirectories(folder.resolve("1_Pooling"));
    Files.copy(
        ModelStore.localCopy(BUILT_IN.runtime().files().model()),
        folder.resolve("onnx/model.onnx"));
    Files.copy(
        ModelStore.localCopy(BUILT_IN.runtime().files().tokenizer()),
        folder.resolve("tokenizer.json"));
    Files.writeString(
        folder.resolve("modules.json"),
        """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """);
    Files.writeString(
        folder.resolve("1_Pooling/config.json"),
        """
        {"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
         "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false,
         "pooling_mode_mean_sqrt_len_tokens": false}
        """);
    Files.writeString(
        folder.resolve("sentence_bert_config.json"),
        "{\"max_seq_length\": 256, \"do_lower_case\": false}");
    Files.writeString(
        folder.resolve("config.json"),
        "{\"hidden_size\": 384, \"max_position_embeddings\": 512, \"model_type\": \"bert\"}");
  }

  private static ModelRegistry registry(String yaml) throws IOException {
    return ModelRegistry.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  private static float[][] embed(ModelSpec spec, List<String> texts) {
    return WindowedEmbedder.embedAll(ModelCache.get(spec, 1), BatchSettings.DEFAULT, texts);
  }

  @Test
  void readsEverySettingFromTheFolderAndGivesTheBuiltInsVectors() {
    ModelSpec spec = ModelRegistry.builtIn().get(folder.toString());
    assertEquals("all-minilm-l6-v2", spec.name());
    assertEquals(Pooling.MEAN, spec.head().pooling());
    assertTrue(spec.head().normalize());
    assertEquals(256, spec.text().maxLength());
    assertEquals(384, spec.head().dimension());
    assertEquals(BUILT_IN.fingerprint(), spec.fingerprint(), "same files, same settings");

    List<String> texts = List.of("Coral reefs bleach in warm water.", "word ".repeat(300));
    float[][] fromFolder = embed(spec, texts);
    float[][] builtIn = embed(BUILT_IN, texts);
    for (int t = 0; t < texts.size(); t++) {
      for (int c = 0; c < 384; c++) {
        assertEquals(builtIn[t][c], fromFolder[t][c], 1e-6);
      }
    }
  }

  @Test
  void aRegistryEntryOverridesTheFolderAndReadsItsPrompts() throws IOException {
    Files.writeString(
        folder.resolve("config_sentence_transformers.json"),
        "{\"prompts\": {\"query\": \"query: \", \"passage\": \"passage: \"}}");
    ModelSpec spec =
        registry(
                """
                models:
                  mine:
                    folder: %s
                    pooling: cls
                    dimension: 128
                """
                    .formatted(folder))
            .get("mine");
    assertEquals(Pooling.CLS, spec.head().pooling());
    assertEquals(128, spec.head().dimension());
    assertEquals(256, spec.text().maxLength());
    assertEquals("passage: ", spec.text().passagePrefix());
    assertEquals("query: ", spec.text().query().template());
  }

  @Test
  void aCorruptedFileIsRefusedNamingTheFileAndBothHashes() throws IOException {
    String expected = BUILT_IN.runtime().files().model().sha256();
    byte[] weights = Files.readAllBytes(folder.resolve("onnx/model.onnx"));
    weights[weights.length / 2] ^= 1;
    Files.write(folder.resolve("onnx/model.onnx"), weights);
    String yaml =
        """
        models:
          mine:
            folder: %s
            files:
              model: {sha256: %s}
        """
            .formatted(folder, expected);
    ModelRegistry registry = registry(yaml); // a folder is read when its model is used
    ModelFileException e = assertThrows(ModelFileException.class, () -> registry.get("mine"));
    assertTrue(e.getMessage().contains("onnx/model.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(ModelStore.sha256(folder.resolve("onnx/model.onnx"))));
  }

  @Test
  void aFolderWithoutAModelFileSaysWhatIsMissing() throws IOException {
    Files.delete(folder.resolve("onnx/model.onnx"));
    ModelFileException e =
        assertThrows(
            ModelFileException.class, () -> ModelRegistry.builtIn().get(folder.toString()));
    assertTrue(e.getMessage().contains("has no model file"), e.getMessage());
    assertTrue(e.getMessage().contains("model.pt"), e.getMessage());
  }

  @Test
  void aTorchScriptModelPtRunsOnPyTorchAloneOrBesideTheOnnxFile() throws IOException {
    ModelSpec fixture = TestData.torchScript("all-minilm-l6-v2");
    Files.copy(
        ModelStore.localCopy(fixture.runtime().files().torchscript()), folder.resolve("model.pt"));
    List<String> texts = List.of("A folder with both files.", "Zwei Dateien, ein Modell.");

    ModelSpec both = ModelRegistry.builtIn().get(folder.toString());
    assertEquals(EngineType.ONNXRUNTIME, both.runtime().engine(), "the ONNX file is the default");
    assertEquals(
        fixture.runtime().files().torchscript().sha256(),
        both.runtime().files().torchscript().sha256());
    float[][] onnx = embed(both, texts);
    float[][] torch = embed(both.withEngine(EngineType.PYTORCH), texts);
    for (int i = 0; i < texts.size(); i++) {
      for (int c = 0; c < onnx[i].length; c++) {
        assertEquals(onnx[i][c], torch[i][c], 1e-4, "text " + i + " component " + c);
      }
    }

    Files.delete(folder.resolve("onnx/model.onnx"));
    ModelSpec torchOnly = ModelRegistry.builtIn().get(folder.toString());
    assertEquals(EngineType.PYTORCH, torchOnly.runtime().engine(), "model.pt alone means PyTorch");
    assertEquals(both.withEngine(EngineType.PYTORCH).fingerprint(), torchOnly.fingerprint());
  }
}
