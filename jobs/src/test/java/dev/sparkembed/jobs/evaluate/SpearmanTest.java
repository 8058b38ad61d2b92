package dev.sparkembed.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SpearmanTest {

  @Test
  void tiesTakeTheirAverageRank() {
    assertArrayEquals(
        new double[] {1, 2.5, 2.5, 4, 5}, Spearman.ranks(new double[] {1, 2, 2, 3, 5}), 0);
  }

  @Test
  void matchesTheTextbookValueWithTies() {
    // ranks (1, 2.5, 2.5, 4, 5) and (2, 1, 4, 3, 5): Pearson of the ranks = 0.666885...
    assertEquals(
        0.6668859288553503,
        Spearman.of(new double[] {1, 2, 2, 3, 5}, new double[] {2, 1, 4, 3, 5}),
        1e-12);
  }

  @Test
  void monotoneSeriesCorrelatePerfectly() {
    assertEquals(-1.0, Spearman.of(new double[] {1, 10, 100}, new double[] {0.3, 0.2, -5}), 1e-12);
  }
}
