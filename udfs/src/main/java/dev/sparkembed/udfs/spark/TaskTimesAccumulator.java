package dev.sparkembed.udfs.spark;

import dev.sparkembed.udfs.embed.TaskTimes;
import org.apache.spark.util.AccumulatorV2;

/** Sums the {@link TaskTimes} of a stage's embedding tasks on the driver. */
public final class TaskTimesAccumulator extends AccumulatorV2<TaskTimes, TaskTimes> {
  private static final long serialVersionUID = 1L;

  private TaskTimes sum = new TaskTimes();

  @Override
  public boolean isZero() {
    return sum.isZero();
  }

  @Override
  public AccumulatorV2<TaskTimes, TaskTimes> copy() {
    TaskTimesAccumulator copy = new TaskTimesAccumulator();
    copy.sum.addAll(sum);
    return copy;
  }

  @Override
  public void reset() {
    sum = new TaskTimes();
  }

  @Override
  public void add(TaskTimes times) {
    sum.addAll(times);
  }

  @Override
  public void merge(AccumulatorV2<TaskTimes, TaskTimes> other) {
    sum.addAll(other.value());
  }

  @Override
  public TaskTimes value() {
    return sum;
  }
}
