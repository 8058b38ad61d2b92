package dev.sparkembed.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.jobs.RunStopped;
import dev.sparkembed.jobs.SparkTestSession;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.udfs.TestData;
import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.spark.DeviceSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per output: the lease a run takes, refuses to share, and gives up when stale. */
class OutputLeaseTest {

  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
  }

  private EmbedResult run(Path output, boolean breakLock, ByteArrayOutputStream log) {
    return new EmbedJob(
            spark,
            new EmbedJobOptions(
                CorpusSource.of(TestData.examples("paragraphs.jsonl").toString()),
                output.toString(),
                OutputMode.OVERWRITE,
                List.of(ModelRegistry.builtIn().get("all-minilm-l6-v2-q")),
                BatchRequest.DEVICE_DEFAULTS,
                LongText.TRUNCATE,
                0,
                false,
                DeviceSettings.AUTO,
                0,
                0,
                breakLock),
            new PrintStream(log, true),
            60_000)
        .run();
  }

  private static OutputLock holdAs(Path output, String runId) throws Exception {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(output.toUri());
    FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
    return OutputLock.acquire(
        fs, root, runId, OutputMode.UPDATE, false, new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  void aSecondRunIsRefusedWhileAnotherHoldsTheOutputAndBreakLockTakesItOver() throws Exception {
    Path output = dir.resolve("out");
    try (OutputLock other = holdAs(output, "20260101000000-other")) {
      UserError e =
          assertThrows(UserError.class, () -> run(output, false, new ByteArrayOutputStream()));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "Output file:"
                      + output
                      + " is being written by run 20260101000000-other (update"),
          e.getMessage());
      assertTrue(e.getMessage().contains("--break-lock"), e.getMessage());
      assertTrue(Files.notExists(output.resolve("all-minilm-l6-v2-q")), "nothing was written");

      ByteArrayOutputStream log = new ByteArrayOutputStream();
      assertTrue(run(output, true, log).succeeded());
      assertTrue(
          log.toString(StandardCharsets.UTF_8)
              .contains("taking over the output from run 20260101000000-other"),
          log::toString);
      assertEquals(
          32, spark.read().parquet(output.resolve("all-minilm-l6-v2-q").toString()).count());
      RunStopped lost = assertThrows(RunStopped.class, other::checkHeld);
      assertTrue(lost.getMessage().contains("lost its lease"), lost.getMessage());
    }
    assertTrue(Files.notExists(output.resolve(OutputLock.FILE)), "released after the run");
  }

  @Test
  void aLeaseWhoseProcessIsGoneFromThisHostIsTakenOver() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path output = dir.resolve("out");
    Files.createDirectories(output);
    Files.writeString(
        output.resolve(OutputLock.FILE),
        lease("20260101000000-dead", InetAddress.getLocalHost().getHostName(), gone.pid(), now()));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    assertTrue(run(output, false, log).succeeded());
    assertTrue(
        log.toString(StandardCharsets.UTF_8)
            .contains("its process " + gone.pid() + " is gone from this host"),
        log::toString);
  }

  @Test
  void aLeaseNotRenewedForFiveMinutesIsStaleAndAFreshOneIsNot() throws Exception {
    Path output = dir.resolve("out");
    Files.createDirectories(output);
    String longAgo = Instant.now().minusSeconds(600).toString();
    Files.writeString(
        output.resolve(OutputLock.FILE), lease("20260101000000-far", "elsewhere", 1, longAgo));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    assertTrue(run(output, false, log).succeeded());
    assertTrue(
        log.toString(StandardCharsets.UTF_8).contains("its lease was last renewed 6"),
        log::toString);

    Files.writeString(
        output.resolve(OutputLock.FILE), lease("20260101000000-near", "elsewhere", 1, now()));
    UserError e =
        assertThrows(UserError.class, () -> run(output, false, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("20260101000000-near"), e.getMessage());
  }

  private static String now() {
    return Instant.now().toString();
  }

  private static String lease(String runId, String host, long pid, String renewedAt) {
    return String.format(
        "{\"run_id\":\"%s\",\"host\":\"%s\",\"pid\":%d,\"mode\":\"overwrite\","
            + "\"started_at\":\"%s\",\"renewed_at\":\"%s\"}",
        runId, host, pid, renewedAt, renewedAt);
  }
}
