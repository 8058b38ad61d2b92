package dev.sparkembed.jobs.embed;

import dev.sparkembed.udfs.spark.DeviceSettings;
import dev.sparkembed.udfs.spark.EmbedPartitions;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The embedding stage, asking Spark for GPUs for its tasks alone when the run gives a GPU share per
 * task (stage-level scheduling): reading, validating and writing keep their CPU-only tasks.
 */
final class GpuStage {

  private GpuStage() {}

  static Dataset<Row> embed(
      SparkSession spark,
      Dataset<Row> rows,
      EmbedPartitions embed,
      double taskGpus,
      PrintStream log) {
    if (taskGpus <= 0) {
      return rows.mapPartitions(embed, Encoders.row(EmbeddingTable.OUTPUT));
    }
    if (spark.sparkContext().isLocal()) {
      log.printf(
          Locale.ROOT,
          "sparkembed: --task-gpus %s ignored: local mode schedules no GPUs; tasks use CPU%n",
          taskGpus);
      return rows.mapPartitions(embed, Encoders.row(EmbeddingTable.OUTPUT));
    }
    int taskCpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
    ResourceProfile profile =
        new ResourceProfileBuilder()
            .require(
                new TaskResourceRequests()
                    .cpus(taskCpus)
                    .resource(DeviceSettings.GPU_RESOURCE, taskGpus))
            .build();
    JavaRDD<Row> embedded = rows.javaRDD().mapPartitions(embed::call).withResources(profile);
    return spark.createDataFrame(embedded, EmbeddingTable.OUTPUT);
  }
}
