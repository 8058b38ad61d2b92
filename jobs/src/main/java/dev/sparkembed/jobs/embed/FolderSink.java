package dev.sparkembed.jobs.embed;

import java.io.PrintStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Parquet tables in an output folder, committed by journaled renames ({@link OutputLayout}). */
final class FolderSink implements EmbeddingSink {

  private final SparkSession spark;
  private final OutputLayout layout;

  FolderSink(SparkSession spark, String output) {
    this.spark = spark;
    this.layout = OutputLayout.of(spark, output);
  }

  @Override
  public void checkUsable() {
    layout.checkUsable();
  }

  @Override
  public OutputLayout work() {
    return layout;
  }

  @Override
  public void prepare(OutputMode mode, PrintStream log) {
    layout.checkWritable(mode);
    layout.recover(log);
  }

  @Override
  public String table(String model) {
    return layout.table(model).toString();
  }

  @Override
  public String rejectedTable() {
    return layout.rejected().toString();
  }

  @Override
  public Manifest manifest(String model) {
    return Manifest.read(spark, layout.table(model));
  }

  @Override
  public Dataset<Row> rows(String model) {
    return spark.read().parquet(table(model));
  }

  @Override
  public void commitRejected(OutputLock lock, Path staged) {
    layout.commit(lock, staged, layout.rejected());
  }

  @Override
  public void commit(
      OutputLock lock, String model, Path staged, Manifest manifest, Path... cleanup) {
    layout.writeFile(new Path(staged, OutputLayout.MANIFEST), manifest.toJson());
    layout.commit(lock, staged, layout.table(model), cleanup);
  }
}
