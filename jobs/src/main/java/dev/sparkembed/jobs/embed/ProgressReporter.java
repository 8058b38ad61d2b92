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
 * time left. The executors add to two accumulators after every batch (rows and tokens); running
 * tasks report them with their heartbeats, finished tasks with their results. The time left comes
 * from tokens, not rows: paragraphs are embedded longest first, so rows alone would mislead.
 */
public final class ProgressReporter extends SparkListener implements AutoCloseable {

  private final SparkContext context;
  private final Counter rows;
  private final Counter tokens;
  private final String label;
  private final long totalRows;
  private final long estimatedTokens;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;

  public ProgressReporter(
      SparkContext context,
      LongAccumulator rowsDone,
      LongAccumulator tokensDone,
      String label,
      long totalRows,
      long estimatedTokens,
      long intervalMillis,
      PrintStream out) {
    this.context = context;
    this.rows = new Counter(rowsDone.id());
    this.tokens = new Counter(tokensDone.id());
    this.label = label;
    this.totalRows = totalRows;
    this.estimatedTokens = estimatedTokens;
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
    return Math.min(rows.value(), totalRows);
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    var tasks = update.accumUpdates().iterator();
    while (tasks.hasNext()) {
      var task = tasks.next();
      rows.running((Long) task._1(), task._4());
      tokens.running((Long) task._1(), task._4());
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    long taskId = end.taskInfo().taskId();
    boolean succeeded = end.taskInfo().successful();
    rows.ended(taskId, succeeded, end.taskInfo().accumulables());
    tokens.ended(taskId, succeeded, end.taskInfo().accumulables());
  }

  void print() {
    long done = rowsDone();
    long tokensDone = tokens.value();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double tokenRate = tokensDone / Math.max(seconds, 1e-9);
    String eta =
        tokenRate > 0
            ? formatSeconds(Math.max(0, estimatedTokens - tokensDone) / tokenRate)
            : "unknown";
    out.printf(
        Locale.ROOT,
        "sparkembed: %s: %,d of %,d paragraphs (%.0f%%), %.1f rows/s, %s elapsed, ETA %s%n",
        label,
        done,
        totalRows,
        totalRows == 0 ? 100.0 : 100.0 * done / totalRows,
        done / Math.max(seconds, 1e-9),
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

  /** One accumulator's value: finished tasks' totals plus running tasks' latest reports. */
  private static final class Counter {
    private final long id;
    private final AtomicLong finished = new AtomicLong();
    private final Map<Long, Long> running = new ConcurrentHashMap<>();

    Counter(long id) {
      this.id = id;
    }

    long value() {
      long sum = finished.get();
      for (long v : running.values()) {
        sum += v;
      }
      return sum;
    }

    void running(long taskId, scala.collection.Iterable<AccumulableInfo> infos) {
      Long v = find(infos);
      if (v != null) {
        running.put(taskId, v);
      }
    }

    void ended(long taskId, boolean succeeded, scala.collection.Iterable<AccumulableInfo> infos) {
      running.remove(taskId);
      Long v = succeeded ? find(infos) : null;
      if (v != null) {
        finished.addAndGet(v);
      }
    }

    private Long find(scala.collection.Iterable<AccumulableInfo> infos) {
      scala.collection.Iterator<AccumulableInfo> it = infos.iterator();
      while (it.hasNext()) {
        AccumulableInfo info = it.next();
        if (info.id() == id) {
          Option<Object> update = info.update();
          if (update.isDefined() && update.get() instanceof Long v) {
            return v;
          }
        }
      }
      return null;
    }
  }
}
