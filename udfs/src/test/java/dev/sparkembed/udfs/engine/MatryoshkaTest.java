package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A smaller dimension keeps the first components and re-normalises them. */
class MatryoshkaTest {

  @Test
  void dimension128IsTheFirst128ComponentsRenormalised() {
    ModelSpec full = ModelRegistry.builtIn().get("all-minilm-l6-v2");
    ModelSpec cut = full.withDimension(128);
    assertNotEquals(full.fingerprint(), cut.fingerprint());
    List<String> texts = List.of("Coral reefs bleach in warm water.", "Batteries fade.");
    float[][] fullVectors = ReferenceVectorsTest.embed(full, texts);
    float[][] cutVectors = ReferenceVectorsTest.embed(cut, texts);
    for (int t = 0; t < texts.size(); t++) {
      float[] expected = Arrays.copyOf(fullVectors[t], 128);
      Vectors.normalizeInPlace(expected);
      assertEquals(128, cutVectors[t].length);
      for (int c = 0; c < 128; c++) {
        assertEquals(expected[c], cutVectors[t][c], 1e-6, "text " + t + " component " + c);
      }
    }
  }
}
