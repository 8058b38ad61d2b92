package dev.sparkembed.jobs;

import org.apache.spark.sql.SparkSession;

/** One real local[2] Spark session for the tests of this module, bound to 127.0.0.1, no UI. */
public final class SparkTestSession {
  private static SparkSession session;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("sparkembed-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "4")
              .getOrCreate();
    }
    return session;
  }
}
