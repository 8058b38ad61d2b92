package dev.sparkembed.udfs.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the URI scheme {@value #SCHEME}, which Hadoop knows only when a job's
 * configuration says {@code fs.testfs.impl=dev.sparkembed.udfs.storage.TestSchemeFileSystem} (with
 * Spark: {@code spark.hadoop.fs.testfs.impl}). Code that opens a {@code testfs://} path with a
 * configuration of its own ({@code new Configuration()}) fails with "No FileSystem for scheme
 * testfs", as it would fail to reach {@code s3a://} with the job's credentials. Set {@link
 * #NO_CACHE} as well, so a file system that the driver created is never handed out again from
 * Hadoop's cache to code that asks with another configuration.
 */
public class TestSchemeFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "testfs";

  /** The setting that registers this file system, and its value. */
  public static final String IMPL = "fs." + SCHEME + ".impl";

  /** The setting that keeps it out of Hadoop's file system cache. */
  public static final String NO_CACHE = "fs." + SCHEME + ".impl.disable.cache";

  private static final URI NAME = URI.create(SCHEME + ":///");

  @Override
  public URI getUri() {
    return NAME;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /** {@code testfs:///abs/path} for a local path. */
  public static String uri(Path local) {
    return SCHEME + "://" + local.toAbsolutePath().toUri().getPath();
  }

  /**
   * Lays out a sentence-transformers folder of the built-in all-MiniLM-L6-v2 (its ONNX file and
   * tokenizer, mean pooling, normalised, 256 tokens): the same model and vectors as the built-in
   * entry, from files only a file system can name.
   */
  public static void layOutMiniLm(Path folder, Path onnx, Path tokenizer) throws IOException {
    Files.createDirectories(folder.resolve("onnx"));
    Files.createDirectories(folder.resolve("1_Pooling"));
    Files.copy(onnx, folder.resolve("onnx/model.onnx"));
    Files.copy(tokenizer, folder.resolve("tokenizer.json"));
    Files.writeString(
        folder.resolve("modules.json"),
        """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """);
    Files.writeString(
        folder.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_mean_tokens\": true}");
    Files.writeString(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256}");
    Files.writeString(
        folder.resolve("config.json"),
        "{\"hidden_size\": 384, \"max_position_embeddings\": 512, \"model_type\": \"bert\"}");
  }
}
