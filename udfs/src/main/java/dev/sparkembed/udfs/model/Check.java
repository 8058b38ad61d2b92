package dev.sparkembed.udfs.model;

/** The one message every bad setting gets: which registry key, which value, and why not. */
final class Check {

  private Check() {}

  static void require(boolean ok, String key, String field, Object value, String why) {
    if (!ok) {
      throw new IllegalArgumentException(
          String.format("Cannot set %s.%s to %s: %s", key, field, value, why));
    }
  }

  static void file(String key, FileRef file) {
    require(
        file.location() != null && !file.location().isBlank(),
        key,
        "location",
        file.location(),
        "required");
    require(
        file.sha256() != null && file.sha256().matches("[0-9a-f]{64}"),
        key,
        "sha256",
        file.sha256(),
        "must be 64 lowercase hex digits (sha256sum FILE prints it)");
  }
}
