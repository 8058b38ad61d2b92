package dev.sparkembed.jobs.embed;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import dev.sparkembed.udfs.model.EngineType;
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

  /**
   * The versions of a run with {@code engine}: ONNX Runtime's is the native library's own (DJL's
   * engine reports the version it was compiled against), and null when the model ran on another
   * engine.
   */
  static Manifest.Versions of(SparkSession spark, EngineType engine) {
    return new Manifest.Versions(
        sparkembed(),
        spark.version(),
        scala.util.Properties.versionNumberString(),
        Engine.getDjlVersion(),
        engine == EngineType.ONNXRUNTIME ? OrtEnvironment.getEnvironment().getVersion() : null,
        System.getProperty("java.version"));
  }
}
