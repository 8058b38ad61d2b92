package dev.sparkembed.udfs.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts model files on local disk, once per JVM, and proves each is the file its registry entry
 * names by its SHA-256. Files land under {@code <root>/<sha256>/<name>}, so a file already there
 * from an earlier JVM on the same host is re-hashed and reused rather than copied again.
 */
public final class ModelStore {

  private static final Map<String, Path> VERIFIED = new ConcurrentHashMap<>();

  private ModelStore() {}

  /** The local copy of {@code file}, verified; copied from its location the first time. */
  public static Path localCopy(FileRef file) {
    return VERIFIED.computeIfAbsent(file.sha256() + "/" + file.fileName(), k -> fetch(file));
  }

  /** Where verified copies live: {@code SPARKEMBED_MODEL_DIR}, else the JVM's temp folder. */
  public static Path root() {
    String configured = System.getenv("SPARKEMBED_MODEL_DIR");
    if (configured == null || configured.isBlank()) {
      configured = System.getProperty("sparkembed.model.dir");
    }
    return configured == null || configured.isBlank()
        ? Paths.get(System.getProperty("java.io.tmpdir"), "sparkembed-models")
        : Paths.get(configured);
  }

  /** The SHA-256 of a local file, in lowercase hex. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  private static Path fetch(FileRef file) {
    Path target = root().resolve(file.sha256()).resolve(file.fileName());
    try {
      if (Files.isRegularFile(target)) {
        String actual = sha256(target);
        if (actual.equals(file.sha256())) {
          return target;
        }
        Files.delete(target);
      }
      Files.createDirectories(target.getParent());
      Path partial = Files.createTempFile(target.getParent(), file.fileName(), ".partial");
      try {
        String actual;
        try (InputStream in = open(file);
            DigestInputStream digesting = new DigestInputStream(in, newDigest());
            OutputStream out = Files.newOutputStream(partial)) {
          digesting.transferTo(out);
          actual = HexFormat.of().formatHex(digesting.getMessageDigest().digest());
        }
        if (!actual.equals(file.sha256())) {
          throw ModelFileException.hashMismatch(file.location(), actual, file.sha256());
        }
        try {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
      } finally {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      throw new ModelFileException(
          "Cannot read model file " + file.location() + ": " + e.getMessage(), e);
    }
  }

  static InputStream open(FileRef file) throws IOException {
    if (file.onClasspath()) {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader == null) {
        loader = ModelStore.class.getClassLoader();
      }
      InputStream in = loader.getResourceAsStream(file.classpathName());
      if (in == null) {
        throw new FileNotFoundException(
            file.classpathName()
                + " is not on the classpath: add the jar that carries it (for the built-in models,"
                + " the dev.langchain4j model jar named in the registry's source)");
      }
      return in;
    }
    URI uri = URI.create(file.location().replace(" ", "%20"));
    if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
      Path local = uri.getScheme() == null ? Paths.get(file.location()) : Paths.get(uri);
      if (!Files.isRegularFile(local)) {
        throw new NoSuchFileException(local.toString(), null, "no such file");
      }
      return Files.newInputStream(local);
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    return path.getFileSystem(ClusterStorage.configuration()).open(path);
  }

  /**
   * A reference to the file at {@code location} with the SHA-256 it has now, read on the driver, so
   * executors can check their copies; null when there is no such file.
   */
  public static FileRef hashedIfPresent(String location) {
    FileRef unhashed = new FileRef(location, null);
    try (InputStream in = open(unhashed)) {
      return new FileRef(location, sha256(in));
    } catch (FileNotFoundException | NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new ModelFileException("Cannot read model file " + location + ": " + e.getMessage(), e);
    }
  }

  /** The SHA-256 of a stream's bytes, in lowercase hex; reads it to the end. */
  static String sha256(InputStream in) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) > 0; ) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
