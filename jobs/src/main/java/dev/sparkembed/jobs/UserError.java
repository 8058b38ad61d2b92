package dev.sparkembed.jobs;

/**
 * A problem the user can fix (a bad option, a missing column, an existing output): printed as one
 * line, with no stack trace, before any embedding starts.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
