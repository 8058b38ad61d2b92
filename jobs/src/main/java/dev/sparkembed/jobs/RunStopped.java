package dev.sparkembed.jobs;

/**
 * The run stopped part way for a reason the user reads in one line (its lease on the output was
 * taken over, say): exit code 1, no stack trace unless {@code --verbose}. What it had committed
 * stays, and nothing half-written is where readers look.
 */
public class RunStopped extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunStopped(String message) {
    super(message);
  }
}
