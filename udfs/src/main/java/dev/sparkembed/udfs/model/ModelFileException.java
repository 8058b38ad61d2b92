package dev.sparkembed.udfs.model;

/** A model file that is missing, unreadable or not the file its registry entry names. */
public final class ModelFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelFileException(String message) {
    super(message);
  }

  public ModelFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
