package dev.sparkembed.jobs;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Spark logs every failed task with its stack trace (the executor's error, the scheduler's "lost
 * task" warning), 80 to 150 lines before sparkembed's own one line that says what failed. A run
 * keeps them quiet in this JVM unless {@code --verbose}; executors of a cluster log as configured.
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
      Configurator.setLevel(logger, show ? Level.WARN : Level.FATAL);
    }
    for (String logger : GLOB_NOISE) {
      Configurator.setLevel(logger, show ? Level.WARN : Level.ERROR);
    }
  }
}
