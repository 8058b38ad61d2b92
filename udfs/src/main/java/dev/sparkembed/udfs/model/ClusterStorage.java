package dev.sparkembed.udfs.model;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import scala.Option;
import scala.Tuple2;

/**
 * The Hadoop configuration that model files, model folders and registries are read with: the job's
 * own ({@code sc.hadoopConfiguration()}), so the {@code spark.hadoop.*} settings a user passes
 * (credentials for {@code s3a://}, {@code abfss://}, {@code gs://}, a file system's {@code
 * fs.<scheme>.impl}) apply to models exactly as to the corpus.
 *
 * <p>On the driver that is the active Spark session's configuration. Executors have no session: the
 * partition function carries a {@link Shipped} copy of the driver's and reads its models inside
 * {@link #with}. Without either (a command that starts no Spark), the {@code spark.hadoop.*}
 * settings of this JVM's Spark configuration over Hadoop's defaults.
 */
public final class ClusterStorage {

  private static final ThreadLocal<Configuration> SCOPED = new ThreadLocal<>();

  private ClusterStorage() {}

  /** The configuration to open model files with, in this thread, now. */
  public static Configuration configuration() {
    Configuration scoped = SCOPED.get();
    if (scoped != null) {
      return scoped;
    }
    Option<SparkSession> session = SparkSession.getActiveSession();
    if (session.isEmpty()) {
      session = SparkSession.getDefaultSession();
    }
    if (session.isDefined()) {
      return session.get().sparkContext().hadoopConfiguration();
    }
    SparkEnv env = SparkEnv.get();
    return fromSparkConf(env != null ? env.conf() : new SparkConf());
  }

  /** Runs {@code action} with model files read through {@code conf} in this thread. */
  public static <T> T with(Configuration conf, Supplier<T> action) {
    Configuration previous = SCOPED.get();
    SCOPED.set(conf);
    try {
      return action.get();
    } finally {
      if (previous == null) {
        SCOPED.remove();
      } else {
        SCOPED.set(previous);
      }
    }
  }

  /** A copy of this thread's configuration (on the driver, the job's) to send to executors. */
  public static Shipped ship() {
    return new Shipped(new Configuration(configuration()));
  }

  /** Hadoop's defaults with every {@code spark.hadoop.X} of {@code spark} set as {@code X}. */
  static Configuration fromSparkConf(SparkConf spark) {
    Configuration conf = new Configuration();
    for (Tuple2<String, String> entry : spark.getAll()) {
      if (entry._1().startsWith("spark.hadoop.")) {
        conf.set(entry._1().substring("spark.hadoop.".length()), entry._2());
      }
    }
    return conf;
  }

  /** A Hadoop configuration that travels with a task (Hadoop's own Writable form inside). */
  public static final class Shipped implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient Configuration conf;

    private Shipped(Configuration conf) {
      this.conf = conf;
    }

    public Configuration get() {
      return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      conf = new Configuration(false);
      conf.readFields(in);
    }
  }
}
