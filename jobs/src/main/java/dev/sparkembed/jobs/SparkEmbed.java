package dev.sparkembed.jobs;

import dev.sparkembed.jobs.bench.BenchCommand;
import dev.sparkembed.jobs.cli.EmbedCommand;
import dev.sparkembed.jobs.cli.EvaluateCommand;
import dev.sparkembed.jobs.cli.ModelsCommand;
import java.io.PrintWriter;
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

  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs a command with its usage and error lines going to {@code out} and {@code err}. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    SparkEmbed command = new SparkEmbed();
    SparkLogs.showTaskFailures(false);
    CommandLine cli = new CommandLine(command);
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
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

  /** The version picocli prints for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sparkembed " + dev.sparkembed.jobs.embed.Versions.sparkembed()};
    }
  }
}
