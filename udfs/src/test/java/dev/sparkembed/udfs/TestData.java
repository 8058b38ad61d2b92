package dev.sparkembed.udfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.udfs.model.EngineType;
import dev.sparkembed.udfs.model.FileRef;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Real data for tests: the project's examples, and ../shared/data when it is there. */
public final class TestData {
  private TestData() {}

  public static Path examples(String name) {
    return Paths.get(System.getProperty("sparkembed.examples", "../examples")).resolve(name);
  }

  /** The texts of examples/paragraphs.jsonl, in file order. */
  public static List<String> exampleTexts() {
    return texts(examples("paragraphs.jsonl"));
  }

  /** The {@code text} fields of a JSON Lines corpus, in file order. */
  public static List<String> texts(Path jsonLines) {
    ObjectMapper json = new ObjectMapper();
    List<String> texts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(jsonLines)) {
        texts.add(json.readTree(line).get("text").asText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }

  /**
   * The built-in model {@code name} run by PyTorch from its TorchScript copy, which udfs' build
   * makes from the ONNX weights; the test is skipped, with a message, when it could not be built.
   */
  public static ModelSpec torchScript(String name) {
    return torchScript(name, name + ".pt");
  }

  /** The built-in model {@code name} run by PyTorch from the fixture's file {@code fileName}. */
  public static ModelSpec torchScript(String name, String fileName) {
    Path file =
        Paths.get(System.getProperty("sparkembed.torchscript.dir", "../udfs/target/torchscript"))
            .resolve(fileName);
    assumeTrue(
        Files.isRegularFile(file),
        "skipped: "
            + file
            + " is absent: udfs' build makes it with /usr/bin/python3, python3-torch and"
            + " python3-onnx (.ci/run installs them)");
    try {
      return ModelRegistry.builtIn()
          .get(name)
          .withTorchScript(new FileRef(file.toString(), ModelStore.sha256(file)))
          .withEngine(EngineType.PYTORCH);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file under ../shared/data; the test is skipped, with a message, when it is absent. */
  public static Path shared(String name) {
    Path file =
        Paths.get(System.getProperty("sparkembed.shared.data", "../../shared/data")).resolve(name);
    assumeTrue(
        Files.exists(file),
        "skipped: " + file + " is absent (../shared/data is only on development machines and CI)");
    return file;
  }
}
