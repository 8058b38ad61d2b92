package dev.sparkembed.jobs.embed;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/** The versions of the software a run used. */
public final class Versions {
  private Versions() {}

  public static String sparkembed() {
    try (InputStream in =
        Versions.class.getClassLoader().getResourceAsStream("sparkembed/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static Manifest.Versions of(SparkSession spark) {
    return new Manifest.Versions(
        sparkembed(),
        spark.version(),
        scala.util.Properties.versionNumberString(),
        Engine.getDjlVersion(),
        Engine.getEngine("OnnxRuntime").getVersion(),
        System.getProperty("java.version"));
  }
}
