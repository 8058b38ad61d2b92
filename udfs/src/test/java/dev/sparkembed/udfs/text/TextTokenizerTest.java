package dev.sparkembed.udfs.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {

  private static final long CLS = 101;
  private static final long SEP = 102;
  private static TextTokenizer tokenizer;

  @BeforeAll
  static void load() {
    ModelSpec spec = ModelRegistry.builtIn().get("all-minilm-l6-v2");
    tokenizer =
        new TextTokenizer(
            ModelStore.localCopy(spec.runtime().files().tokenizer()), spec.text().maxLength());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void keepsTheModelsMaxLengthNotTheTokenizerFiles128() {
    TokenizedText text = tokenizer.tokenize("word ".repeat(200));
    assertEquals(202, text.length(), "200 words and [CLS] [SEP], neither cut at 128 nor padded");
    assertFalse(text.truncated());
  }

  @Test
  void truncatesAtMaxLengthKeepingTheClosingSpecialToken() {
    TokenizedText whole = tokenizer.tokenize("alpha beta ".repeat(200));
    assertEquals(402, whole.tokenCount());
    assertEquals(256, whole.length());
    assertTrue(whole.truncated());
    assertEquals(CLS, whole.ids()[0]);
    assertEquals(SEP, whole.ids()[255]);
    TokenizedText head = tokenizer.tokenize("alpha beta ".repeat(127));
    assertArrayEquals(
        Arrays.copyOf(head.ids(), 255),
        Arrays.copyOf(whole.ids(), 255),
        "the kept tokens are the text's first 254 tokens after [CLS]");
  }

  @Test
  void batchAndSingleTokenizationAgree() {
    List<String> texts = List.of("A short one.", "Another, slightly longer sentence here.", "");
    TokenizedText[] batch = tokenizer.tokenize(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(tokenizer.tokenize(texts.get(i)).ids(), batch[i].ids());
    }
  }

  @Test
  void chunksCoverTheWholeTextWithTheOverlapAndKeepTheSpecialTokens() {
    String text = "alpha beta gamma delta ".repeat(150);
    TokenizedText whole = tokenizer.tokenize(text);
    List<TokenizedText> chunks = tokenizer.chunks(text, 32);
    assertEquals(602, whole.tokenCount());
    assertEquals(3, chunks.size(), "600 text tokens in windows of 254 stepping 222");
    long[] content = new long[600];
    int covered = 0;
    for (int c = 0; c < chunks.size(); c++) {
      long[] ids = chunks.get(c).ids();
      assertTrue(ids.length <= 256);
      assertEquals(CLS, ids[0]);
      assertEquals(SEP, ids[ids.length - 1]);
      int start = c * 222;
      for (int t = 1; t < ids.length - 1; t++) {
        content[start + t - 1] = ids[t];
        covered = Math.max(covered, start + t);
      }
    }
    assertEquals(600, covered);
    TokenizedText head = tokenizer.tokenize("alpha beta gamma delta ".repeat(150));
    assertArrayEquals(Arrays.copyOfRange(head.ids(), 1, 255), Arrays.copyOfRange(content, 0, 254));
    assertEquals(List.of(1), List.of(tokenizer.chunks("A short text.", 32).size()));
  }
}
