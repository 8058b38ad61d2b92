package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

  @TempDir Path dir;

  @Test
  void copiesAClasspathFileOnceAndVerifiesIt() throws IOException {
    FileRef tokenizer =
        ModelRegistry.builtIn().get("all-minilm-l6-v2").runtime().files().tokenizer();
    Path copy = ModelStore.localCopy(tokenizer);
    assertEquals(tokenizer.sha256(), ModelStore.sha256(copy));
    assertEquals(copy, ModelStore.localCopy(tokenizer));
  }

  @Test
  void refusesAFileWhoseHashDiffersNamingTheFileAndBothHashes() throws IOException {
    Path file = dir.resolve("model.onnx");
    Files.writeString(file, "not the weights", StandardCharsets.UTF_8);
    String expected = "0".repeat(64);
    ModelFileException e =
        assertThrows(
            ModelFileException.class,
            () -> ModelStore.localCopy(new FileRef(file.toString(), expected)));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(ModelStore.sha256(file)), e.getMessage());
  }

  @Test
  void aMissingFileIsAnErrorNotAFetch() {
    Path missing = dir.resolve("absent/model.onnx");
    ModelFileException e =
        assertThrows(
            ModelFileException.class,
            () -> ModelStore.localCopy(new FileRef(missing.toString(), "1".repeat(64))));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }
}
