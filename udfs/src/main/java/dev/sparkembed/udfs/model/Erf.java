package dev.sparkembed.udfs.model;

/** The error function in double precision, which {@link Math} does not have. */
final class Erf {

  private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

  /** Below it the Maclaurin series converges without cancellation; above it the fraction does. */
  private static final double SERIES_LIMIT = 3.0;

  /** Beyond it erf is 1 to double precision (erfc(6) is about 2e-17). */
  private static final double SATURATED = 6.0;

  private static final int FRACTION_TERMS = 80;

  private Erf() {}

  static double erf(double x) {
    double a = Math.abs(x);
    double value;
    if (a < SERIES_LIMIT) {
      value = series(a);
    } else if (a < SATURATED) {
      value = 1.0 - complementFraction(a);
    } else {
      value = 1.0;
    }
    return Math.copySign(value, x);
  }

  /** erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)). */
  private static double series(double x) {
    double term = x;
    double sum = x;
    double squared = x * x;
    for (int n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= -squared / n;
      sum += term / (2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * sum;
  }

  /** erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), for x > 0. */
  private static double complementFraction(double x) {
    double denominator = x;
    for (int n = FRACTION_TERMS; n >= 1; n--) {
      denominator = x + (n / 2.0) / denominator;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / denominator;
  }
}
