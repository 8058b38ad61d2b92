package dev.sparkembed.jobs;

/**
 * Spark logs every failed task with its stack trace (the executor's error, the scheduler's "lost
 * task" warning), 80 to 150 lines before sparkembed's own one line that says what failed. A run
 * keeps them quiet in this JVM unless {@code --verbose}; executors of a cluster log as configured.
 *
 * <p>Levels are set through Log4j 2's {@code Configurator}, the logging Spark ships, looked up at
 * run time: compiling against Log4j's classes brings warnings about annotations it does not ship,
 * and a JVM with another logging backend simply keeps its levels.
 */
final class SparkLogs {

  private static final String[] TASK_FAILURE_LOGGERS = {
    "org.apache.spark.executor.Executor", "org.apache.spark.scheduler.TaskSetManager"
  };

  /**
   * Spark's file sink looks for a streaming metadata folder at every input path and, for a glob,
   * warns with a stack trace that the glob is not a file: noise (Spark 4 and Spark 3.5 names).
   */
  private static final String[] GLOB_NOISE = {
    "org.apache.spark.sql.execution.streaming.sinks.FileStreamSink",
    "org.apache.spark.sql.execution.streaming.FileStreamSink"
  };

  private SparkLogs() {}

  static void showTaskFailures(boolean show) {
    for (String logger : TASK_FAILURE_LOGGERS) {
      setLevel(logger, show ? "WARN" : "FATAL");
    }
    for (String logger : GLOB_NOISE) {
      setLevel(logger, show ? "WARN" : "ERROR");
    }
  }

  private static void setLevel(String logger, String level) {
    try {
      Class<?> levels = Class.forName("org.apache.logging.log4j.Level");
      Object value = levels.getMethod("toLevel", String.class).invoke(null, level);
      Class.forName("org.apache.logging.log4j.core.config.Configurator")
          .getMethod("setLevel", String.class, levels)
          .invoke(null, logger, value);
    } catch (ReflectiveOperationException | LinkageError e) {
      // no Log4j 2 core in this JVM: its logging backend keeps its own levels
    }
  }
}
