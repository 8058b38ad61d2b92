package dev.sparkembed.jobs.cli;

import dev.sparkembed.jobs.UserError;
import dev.sparkembed.udfs.model.ModelRegistry;
import picocli.CommandLine.Option;

/** Which model registry a command reads. */
public final class RegistryOptions {

  @Option(
      names = "--model-registry",
      paramLabel = "FILE",
      description =
          "A model registry (YAML) to use instead of the built-in conf/models.yaml: a local path"
              + " or any URI Spark's Hadoop layer reads (s3a://, abfss://, hdfs://, /Volumes/...).")
  String registry;

  /** The registry, or a one-line error that says what is wrong with it. */
  public ModelRegistry load() {
    try {
      return registry == null ? ModelRegistry.builtIn() : ModelRegistry.fromLocation(registry);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
  }
}
