package dev.sparkembed.udfs.engine;

import ai.djl.Device;

/**
 * Where a loaded model runs and how its callers share it: {@code concurrentCalls} engine calls at a
 * time, each on {@code threadsPerCall} threads.
 *
 * <p>On CPU, executors run one single-threaded call per core: on 2 AVX2 cores with all-MiniLM-L6-v2
 * and the unarXive corpus, that embedding stage took 74.5 s, against 81.4 s for one 2-thread call
 * at a time shared by both tasks (the waiting task's tokenizing and writing then competes with the
 * engine's threads). On a GPU, calls go one at a time: the tasks sharing the GPU tokenize and pool
 * while another task's batch runs.
 */
public record EnginePlan(Device device, int threadsPerCall, int concurrentCalls) {

  /** One single-threaded call per core. */
  public static EnginePlan cpu(int cores) {
    return new EnginePlan(Device.cpu(), 1, Math.max(1, cores));
  }

  /** {@code threads} threads per call, {@code calls} calls at a time, on CPU. */
  public static EnginePlan cpu(int threads, int calls) {
    return new EnginePlan(Device.cpu(), threads, calls);
  }

  /** One call at a time on the GPU with this CUDA index. */
  public static EnginePlan gpu(int index) {
    return new EnginePlan(Device.gpu(index), 1, 1);
  }

  public boolean onGpu() {
    return device.isGpu();
  }

  @Override
  public String toString() {
    return onGpu()
        ? device.toString()
        : device + ", " + concurrentCalls + " call(s) of " + threadsPerCall + " thread(s)";
  }
}
