package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.model.ModelSpec;

/** The published-vector checks of {@link ReferenceVectorsTest}, on the PyTorch engine. */
class PyTorchReferenceVectorsTest extends ReferenceVectorsTest {

  @Override
  ModelSpec model(String name) {
    assumeFalse(name.endsWith("-q"), "skipped: the int8 ONNX models have no TorchScript copy");
    return TestData.torchScript(name);
  }
}
