package dev.sparkembed.udfs.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/** The cores Spark gave this executor JVM, which its embedding tasks share. */
public final class ExecutorCores {

  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?])?");

  private ExecutorCores() {}

  public static int get() {
    SparkEnv env = SparkEnv.get();
    int available = Runtime.getRuntime().availableProcessors();
    if (env == null) {
      return available;
    }
    return of(env.conf(), available);
  }

  static int of(SparkConf conf, int available) {
    if (conf.contains("spark.executor.cores")) {
      return Math.max(1, conf.getInt("spark.executor.cores", 1));
    }
    Matcher local = LOCAL.matcher(conf.get("spark.master", ""));
    if (local.matches()) {
      String n = local.group(1);
      if (n == null) {
        return 1;
      }
      return n.equals("*") ? available : Math.max(1, Integer.parseInt(n));
    }
    return available;
  }
}
