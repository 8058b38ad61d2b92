package dev.sparkembed.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A {@code sparkembed} command run as its own JVM in Spark local mode, as {@code
 * deploy/local/sparkembed} runs it, with its output in a log file: a run a test can kill, or run
 * beside another.
 */
final class LocalRun {

  private LocalRun() {}

  /**
   * Starts {@code sparkembed args...}.
   *
   * @param properties extra {@code -Dkey=value} settings of the JVM
   */
  static Process start(Path log, List<String> properties, String... args) throws IOException {
    List<String> command = StandaloneCluster.java("1500m");
    command.add("-Dai.djl.offline=true");
    command.addAll(properties);
    command.add("-cp");
    command.add(
        StandaloneCluster.classpath().stream()
            .map(Path::toString)
            .collect(Collectors.joining(File.pathSeparator)));
    command.add("dev.sparkembed.jobs.SparkEmbed");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    return builder.start();
  }

  /** Runs {@code sparkembed args...} to its end and returns its exit code. */
  static int run(Path log, List<String> properties, String... args) throws Exception {
    Process process = start(log, properties, args);
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("timed out:\n" + StandaloneCluster.tail(log));
    }
    return process.exitValue();
  }

  /** The arguments of an embed run. */
  static String[] embed(Path input, Path output, String mode, String... more) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "embed", "--input", input.toString(), "--output", output.toString(), "--mode", mode));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }
}
