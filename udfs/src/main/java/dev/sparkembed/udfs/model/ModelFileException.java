package dev.sparkembed.udfs.model;

/** A model file that is missing, unreadable or not the file its registry entry names. */
public final class ModelFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ModelFileException(String message) {
    super(message);
  }

  static ModelFileException hashMismatch(String location, String actual, String expected) {
    return new ModelFileException(
        String.format(
            "Model file %s has SHA-256 %s but the registry expects %s: the file is corrupt or is"
                + " not the one the registry names; restore it or fix its sha256",
            location, actual, expected));
  }

  public ModelFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
