package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.storage.TestSchemeFileSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files, folders and registries are read through the job's Hadoop configuration. */
class ClusterStorageTest {

  @TempDir Path dir;

  private static Configuration withTestScheme() {
    Configuration conf = new Configuration();
    conf.set(TestSchemeFileSystem.IMPL, TestSchemeFileSystem.class.getName());
    conf.setBoolean(TestSchemeFileSystem.NO_CACHE, true);
    return conf;
  }

  /** A file no earlier test copied, so ModelStore must open it. */
  private Path uniqueFile() throws IOException {
    byte[] bytes = new byte[4096];
    new Random(System.nanoTime()).nextBytes(bytes);
    return Files.write(dir.resolve("weights.bin"), bytes);
  }

  @Test
  void aModelFileIsOpenedWithTheConfigurationInScopeAndOnlyWithIt() throws IOException {
    Path file = uniqueFile();
    FileRef ref = new FileRef(TestSchemeFileSystem.uri(file), ModelStore.sha256(file));

    ModelFileException e = assertThrows(ModelFileException.class, () -> ModelStore.localCopy(ref));
    assertTrue(e.getMessage().contains("No FileSystem for scheme"), e.getMessage());

    Path copy = ClusterStorage.with(withTestScheme(), () -> ModelStore.localCopy(ref));
    assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
  }

  @Test
  void theShippedConfigurationKeepsEverySettingAcrossJavaSerialization() throws Exception {
    Configuration conf = withTestScheme();
    conf.set("fs.s3a.access.key", "AKIA-TEST");
    ClusterStorage.Shipped shipped = ClusterStorage.with(conf, ClusterStorage::ship);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(shipped);
    }
    ClusterStorage.Shipped back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ClusterStorage.Shipped) in.readObject();
    }
    assertEquals(TestSchemeFileSystem.class.getName(), back.get().get(TestSchemeFileSystem.IMPL));
    assertEquals("AKIA-TEST", back.get().get("fs.s3a.access.key"));
  }

  @Test
  void withoutASessionTheSparkHadoopSettingsOfTheSparkConfApply() {
    SparkConf spark =
        new SparkConf(false)
            .set("spark.hadoop." + TestSchemeFileSystem.IMPL, TestSchemeFileSystem.class.getName())
            .set("spark.executor.memory", "1g");
    Configuration conf = ClusterStorage.fromSparkConf(spark);
    assertEquals(TestSchemeFileSystem.class.getName(), conf.get(TestSchemeFileSystem.IMPL));
    assertNull(conf.get("executor.memory"));
  }

  @Test
  void aRegistryAndTheModelFolderItNamesAreReadFromTheTestScheme() throws IOException {
    ModelSpec builtIn = ModelRegistry.builtIn().get("all-minilm-l6-v2");
    Path folder = dir.resolve("minilm");
    TestSchemeFileSystem.layOutMiniLm(
        folder,
        ModelStore.localCopy(builtIn.runtime().files().model()),
        ModelStore.localCopy(builtIn.runtime().files().tokenizer()));
    Path registry =
        Files.writeString(
            dir.resolve("models.yaml"),
            "default: minilm-remote\nmodels:\n  minilm-remote:\n    folder: "
                + TestSchemeFileSystem.uri(folder)
                + "\n");
    String location = TestSchemeFileSystem.uri(registry);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelRegistry.fromLocation(location));
    assertTrue(e.getMessage().contains("No FileSystem for scheme"), e.getMessage());

    // a folder model is read when it is first asked for: in the same scope, as on a driver
    ModelSpec spec =
        ClusterStorage.with(
            withTestScheme(), () -> ModelRegistry.fromLocation(location).get("minilm-remote"));
    assertTrue(
        spec.runtime().files().model().location().startsWith("testfs:"),
        spec.runtime().files().toString());
    assertEquals(
        builtIn.runtime().files().model().sha256(), spec.runtime().files().model().sha256());
    assertEquals(builtIn.fingerprint(), spec.fingerprint(), "same files, same settings");
  }
}
