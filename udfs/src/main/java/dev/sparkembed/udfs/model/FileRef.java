package dev.sparkembed.udfs.model;

import java.io.Serializable;

/**
 * One file of a model: where it lives and the SHA-256 it must have.
 *
 * <p>{@code location} is {@code classpath:NAME} for a file inside a jar on the classpath, or a
 * local path or URI that Hadoop's file systems read.
 */
public record FileRef(String location, String sha256) implements Serializable {

  public static final String CLASSPATH_PREFIX = "classpath:";

  public boolean onClasspath() {
    return location.startsWith(CLASSPATH_PREFIX);
  }

  public String classpathName() {
    return location.substring(CLASSPATH_PREFIX.length());
  }

  /** The file's own name, used when it is copied to local disk. */
  public String fileName() {
    String path = onClasspath() ? classpathName() : location;
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
