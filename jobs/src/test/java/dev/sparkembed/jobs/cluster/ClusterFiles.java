package dev.sparkembed.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.jobs.SparkEmbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Files the cluster tests hand to spark-submit, and what they read back. */
final class ClusterFiles {
  private ClusterFiles() {}

  /** The sample corpus of the README (32 paragraphs). */
  static Path examples() {
    return Paths.get(System.getProperty("sparkembed.examples")).resolve("paragraphs.jsonl");
  }

  /** A jar holding {@code classes} (test classes a cluster's driver and executors must load). */
  static Path jarOf(Path jar, Class<?>... classes) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      for (Class<?> type : classes) {
        String name = type.getName().replace('.', '/') + ".class";
        out.putNextEntry(new JarEntry(name));
        try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  /** A table's manifest. */
  static JsonNode manifest(Path table) throws IOException {
    return new ObjectMapper().readTree(table.resolve("_manifest.json").toFile());
  }

  /** The same command embedded in this JVM (local mode, the Spark this build is for). */
  static int runHere(String... args) {
    return SparkEmbed.run(args);
  }
}
