package dev.sparkembed.jobs;

import dev.sparkembed.jobs.bench.BenchCommand;
import dev.sparkembed.jobs.cli.EmbedCommand;
import dev.sparkembed.jobs.cli.EvaluateCommand;
import dev.sparkembed.jobs.cli.ExportCommand;
import dev.sparkembed.jobs.cli.ModelsCommand;
import dev.sparkembed.jobs.cli.SearchCommand;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The command line: {@code sparkembed <command> [options]}. Runs under spark-submit or alone. */
@Command(
    name = "sparkembed",
    mixinStandardHelpOptions = true,
    versionProvider = SparkEmbed.Version.class,
    description = "Batch embedding of paragraph corpora on Apache Spark.",
    subcommands = {
      EmbedCommand.class,
      ModelsCommand.class,
      EvaluateCommand.class,
      ExportCommand.class,
      SearchCommand.class,
      BenchCommand.class
    })
public final class SparkEmbed {

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Show the stack trace of an error, and Spark's own log of failed tasks (quiet by default:"
              + " the error line says what failed).")
  void verbose(boolean on) {
    verbose = on;
    SparkLogs.showTaskFailures(on);
  }

  private boolean verbose;

  /** Exit code of a usage error or a problem found before any work. */
  public static final int USAGE_ERROR = 2;

  /**
   * The entry point of {@code spark-submit}, the local launcher and a Databricks JAR task. A failed
   * command ends the JVM with its exit code, except on Databricks, whose JAR tasks must end by
   * returning or throwing (the driver JVM is the cluster's, shared with Databricks' own services):
   * there it throws {@link CommandFailed}, which fails the task run.
   */
  public static void main(String[] args) {
    finish(run(args), System.getenv());
  }

  /** Ends a command that returned {@code code}: returns on success, else exits or throws. */
  static void finish(int code, Map<String, String> env) {
    if (code == 0) {
      return;
    }
    if (env.containsKey(DATABRICKS_RUNTIME)) {
      throw new CommandFailed(code);
    }
    System.exit(code);
  }

  /** Set on every Databricks Runtime driver: the runtime's version, e.g. {@code 16.4}. */
  static final String DATABRICKS_RUNTIME = "DATABRICKS_RUNTIME_VERSION";

  /** A command that failed where the JVM must not be ended: carries the exit code it would have. */
  public static final class CommandFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CommandFailed(int exitCode) {
      super("sparkembed failed with exit code " + exitCode + " (see the lines above)");
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs a command with its usage and error lines going to {@code out} and {@code err}. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    SparkEmbed command = new SparkEmbed();
    SparkLogs.showTaskFailures(false);
    CommandLine cli = parser(command);
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          PrintWriter usage = e.getCommandLine().getErr();
          usage.println("sparkembed: error: " + e.getMessage());
          usage.println(
              "Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return USAGE_ERROR;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof UserError) {
            commandLine.getErr().println("sparkembed: error: " + e.getMessage());
            if (command.verbose) {
              e.printStackTrace(commandLine.getErr());
            }
            return USAGE_ERROR;
          }
          if (e instanceof RunStopped) {
            commandLine.getErr().println("sparkembed: stopped: " + e.getMessage());
            if (command.verbose) {
              e.printStackTrace(commandLine.getErr());
            }
            return 1;
          }
          throw e;
        });
    return cli.execute(args);
  }

  /** The command line parser every run uses (and {@link ArgsCheck}, which only parses). */
  public static CommandLine parser() {
    return parser(new SparkEmbed());
  }

  private static CommandLine parser(SparkEmbed command) {
    CommandLine cli = new CommandLine(command);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  /** The version picocli prints for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sparkembed " + dev.sparkembed.jobs.embed.Versions.sparkembed()};
    }
  }
}
