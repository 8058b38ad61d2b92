package dev.sparkembed.jobs.embed;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Option;

/**
 * Prints a progress line at most every {@code interval}: rows done of the total, rows/s and the
 * time left. Rows done come from an accumulator the executors add to after every batch; running
 * tasks report it with their heartbeats, finished tasks with their results.
 */
public final class ProgressReporter extends SparkListener implements AutoCloseable {

  private final SparkContext context;
  private final long accumulatorId;
  private final String label;
  private final long total;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final AtomicLong finished = new AtomicLong();
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  public ProgressReporter(
      SparkContext context,
      LongAccumulator rowsDone,
      String label,
      long total,
      long intervalMillis,
      PrintStream out) {
    this.context = context;
    this.accumulatorId = rowsDone.id();
    this.label = label;
    this.total = total;
    this.out = out;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sparkembed-progress");
              t.setDaemon(true);
              return t;
            });
    context.addSparkListener(this);
    timer.scheduleAtFixedRate(this::print, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  public long rowsDone() {
    long sum = finished.get();
    for (long value : running.values()) {
      sum += value;
    }
    return Math.min(sum, total);
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    var tasks = update.accumUpdates().iterator();
    while (tasks.hasNext()) {
      var task = tasks.next();
      Long value = ourValue(task._4());
      if (value != null) {
        running.put((Long) task._1(), value);
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    long taskId = end.taskInfo().taskId();
    running.remove(taskId);
    if (end.taskInfo().successful()) {
      Long value = ourValue(end.taskInfo().accumulables());
      if (value != null) {
        finished.addAndGet(value);
      }
    }
  }

  private Long ourValue(scala.collection.Iterable<AccumulableInfo> infos) {
    scala.collection.Iterator<AccumulableInfo> it = infos.iterator();
    while (it.hasNext()) {
      AccumulableInfo info = it.next();
      if (info.id() == accumulatorId) {
        Option<Object> update = info.update();
        if (update.isDefined() && update.get() instanceof Long value) {
          return value;
        }
      }
    }
    return null;
  }

  void print() {
    long done = rowsDone();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    String eta = rate > 0 && done > 0 ? formatSeconds((total - done) / rate) : "unknown";
    out.printf(
        Locale.ROOT,
        "sparkembed: %s: %,d of %,d paragraphs (%.0f%%), %.1f rows/s, %s elapsed, ETA %s%n",
        label,
        done,
        total,
        total == 0 ? 100.0 : 100.0 * done / total,
        rate,
        formatSeconds(seconds),
        eta);
  }

  static String formatSeconds(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    context.removeSparkListener(this);
  }
}
