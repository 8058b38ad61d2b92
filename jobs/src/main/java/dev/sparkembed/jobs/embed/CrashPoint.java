package dev.sparkembed.jobs.embed;

/**
 * Named instants of the commit protocol. With {@code -Dsparkembed.crash-at=NAME} (any table) or
 * {@code NAME:TABLE} (one table, e.g. {@code commit-new-in-place:all-minilm-l6-v2}) the JVM halts
 * at that instant as a {@code kill -9} would (no finally blocks, no shutdown hooks), so tests can
 * kill a run exactly there; without the property nothing happens.
 */
final class CrashPoint {

  static final String PROPERTY = "sparkembed.crash-at";

  private CrashPoint() {}

  static void reached(String name, String table) {
    String at = System.getProperty(PROPERTY);
    if (name.equals(at) || (name + ":" + table).equals(at)) {
      Runtime.getRuntime().halt(137);
    }
  }
}
