package dev.sparkembed.udfs.engine;

/**
 * How a JVM's cores are shared by the tasks that embed on them: {@code streams} engine calls at a
 * time, each on {@code threadsPerCall} threads, never more threads than cores.
 *
 * <p>Executors run one single-threaded call per core: on 2 AVX2 cores with all-MiniLM-L6-v2 and the
 * unarXive corpus, that embedding stage took 74.5 s, against 81.4 s for one 2-thread call at a time
 * shared by both tasks (the waiting task's tokenizing and writing then competes with the engine's
 * threads).
 */
public record CpuPlan(int threadsPerCall, int streams) {

  public static CpuPlan forCores(int cores) {
    return new CpuPlan(1, Math.max(1, cores));
  }
}
