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
    tokenizer = new TextTokenizer(ModelStore.localCopy(spec.files().tokenizer()), spec.maxLength());
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
}
