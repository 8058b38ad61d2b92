package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sparkembed.udfs.storage.TestSchemeFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A model folder named by a relative path (YARN's {@code --archives models.tgz#models} unpacks it
 * into every container's working folder, each at another absolute path) is read from the local
 * working folder, never from the cluster's default file system, and its files keep relative
 * locations, so each executor opens its own copy.
 */
class RelativeModelFolderTest {

  @Test
  void aRelativeFolderIsLocalAndItsFilesStayRelative() throws IOException {
    ModelSpec builtIn = ModelRegistry.builtIn().get("all-minilm-l6-v2");
    Path relative = Paths.get("target", "relative-models", "all-minilm-l6-v2");
    deleteTree(relative);
    TestSchemeFileSystem.layOutMiniLm(
        relative,
        ModelStore.localCopy(builtIn.runtime().files().model()),
        ModelStore.localCopy(builtIn.runtime().files().tokenizer()));

    ModelSpec spec = ModelRegistry.builtIn().get(relative.toString());
    String location = spec.runtime().files().model().location();
    assertEquals("target/relative-models/all-minilm-l6-v2/onnx/model.onnx", location);
    assertFalse(Paths.get(location).isAbsolute());
    assertEquals(builtIn.fingerprint(), spec.fingerprint());
    assertEquals(
        builtIn.runtime().files().model().sha256(),
        ModelStore.sha256(ModelStore.localCopy(spec.weights())));
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
