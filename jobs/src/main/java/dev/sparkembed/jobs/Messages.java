package dev.sparkembed.jobs;

/** Turns exceptions into the one line a user reads. */
public final class Messages {
  private Messages() {}

  public static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** The first line of the innermost cause's message. */
  public static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return firstLine(cause.getMessage() == null ? cause.toString() : cause.getMessage());
  }
}
