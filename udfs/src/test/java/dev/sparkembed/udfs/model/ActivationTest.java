package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** GELU in both forms, at values computed with Python's math.erf and math.tanh. */
class ActivationTest {

  private static final double[] X = {-5.5, -3, -0.5, 0, 1, 2.9, 3.1, 4};
  private static final double[] EXACT = {
    -1.0444259362918373e-07,
    -0.00404969409489031,
    -0.15426876936299344,
    0,
    0.8413447460685429,
    2.8945891414288862,
    3.097000430039023,
    3.9998733150326675
  };
  private static final double[] TANH = {
    -5.927640267522349e-09,
    -0.0036373920817729943,
    -0.15428599017485606,
    0,
    0.8411919906082768,
    2.895033333764528,
    3.0973733897694506,
    3.9999297540518075
  };

  @Test
  void geluIsExactOnBothSidesOfTheSeriesLimit() {
    Activation gelu = Activation.fromTorchClass("torch.nn.modules.activation.GELU");
    Activation tanh = Activation.fromTorchClass("transformers.activations.NewGELUActivation");
    for (int i = 0; i < X.length; i++) {
      assertEquals(EXACT[i], gelu.apply((float) X[i]), 1e-6 * Math.max(1, Math.abs(EXACT[i])));
      assertEquals(TANH[i], tanh.apply((float) X[i]), 1e-6 * Math.max(1, Math.abs(TANH[i])));
    }
    assertEquals(
        Activation.GELU, Activation.fromTorchClass("transformers.activations.GELUActivation"));
  }

  @Test
  void anActivationSparkembedDoesNotApplyIsRefusedListingThoseItDoes() {
    ModelFileException e =
        assertThrows(
            ModelFileException.class,
            () -> Activation.fromTorchClass("torch.nn.modules.activation.SiLU"));
    assertTrue(e.getMessage().contains("torch.nn.modules.activation.GELU"), e.getMessage());
  }
}
