package dev.sparkembed.udfs.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.sparkembed.udfs.model.ModelFileException;
import dev.sparkembed.udfs.model.TokenizerVocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Hugging Face {@code tokenizer.json} with the model's own max length and, for models that pool
 * an end-of-sequence token, that token at the end of every text.
 *
 * <p>Truncation and padding written in the tokenizer file are switched off: the file's values are
 * often not the model's (the MiniLM file says 128 where the model uses 256). Texts are encoded
 * whole, so the count before truncation is known, then cut here to {@code maxLength}, keeping the
 * special tokens the tokenizer puts at the start and the end. The end-of-sequence token is appended
 * only when the tokenizer's post-processor does not add it already (older Qwen3-Embedding files do
 * not), and counts as a special token at the end: truncation keeps it.
 */
public final class TextTokenizer implements AutoCloseable {

  private static final String PROBE = "probe";

  private final HuggingFaceTokenizer tokenizer;
  private final int highestId;
  private final int maxLength;
  private final int leadingSpecials;
  private final int trailingSpecials;
  private final long appendedId;

  public TextTokenizer(Path tokenizerJson, int maxLength) {
    this(tokenizerJson, maxLength, "");
  }

  /**
   * @param eosToken the token every text must end with; empty for none
   */
  public TextTokenizer(Path tokenizerJson, int maxLength, String eosToken) {
    try {
      this.tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optAddSpecialTokens(true)
              .optTruncation(false)
              .optPadding(false)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load tokenizer " + tokenizerJson, e);
    }
    TokenizerVocabulary vocabulary = vocabulary(tokenizerJson);
    this.highestId = vocabulary.highestId();
    this.maxLength = maxLength;
    Encoding probe = tokenizer.encode(PROBE);
    this.appendedId = appendedId(vocabulary, eosToken, probe.getIds(), tokenizerJson);
    long[] mask = probe.getSpecialTokenMask();
    int lead = 0;
    while (lead < mask.length && mask[lead] == 1) {
      lead++;
    }
    int trail = 0;
    while (trail < mask.length - lead && mask[mask.length - 1 - trail] == 1) {
      trail++;
    }
    if (lead + trail >= maxLength) {
      throw new IllegalArgumentException(
          "max length " + maxLength + " leaves no room for text after the special tokens");
    }
    this.leadingSpecials = lead;
    this.trailingSpecials = trail + (appendedId >= 0 ? 1 : 0);
  }

  /** The id to append to every text: -1 when none is needed or the tokenizer adds it itself. */
  private static long appendedId(
      TokenizerVocabulary vocabulary, String eosToken, long[] probe, Path tokenizerJson) {
    if (eosToken == null || eosToken.isEmpty()) {
      return -1;
    }
    int id =
        vocabulary
            .id(eosToken)
            .orElseThrow(
                () ->
                    new ModelFileException(
                        "The model ends every text with the token '"
                            + eosToken
                            + "', and tokenizer "
                            + tokenizerJson
                            + " has no such token"));
    return probe.length > 0 && probe[probe.length - 1] == id ? -1 : id;
  }

  /** Whether this tokenizer appends the end-of-sequence token itself (the file does not). */
  public boolean appendsEos() {
    return appendedId >= 0;
  }

  /**
   * How many leading tokens of a text that starts with {@code prompt} sentence-transformers counts
   * as the prompt's: the prompt's own encoding, special tokens included, less one (for the end
   * token it assumes there; the end token sparkembed appends is not counted). 0 for no prompt.
   */
  public int promptTokens(String prompt) {
    return prompt.isEmpty() ? 0 : tokenizer.encode(prompt).getIds().length - 1;
  }

  /** The largest token id the tokenizer can produce: its vocabulary and added tokens. */
  public int highestId() {
    return highestId;
  }

  private static TokenizerVocabulary vocabulary(Path tokenizerJson) {
    try (InputStream in = Files.newInputStream(tokenizerJson)) {
      return TokenizerVocabulary.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read tokenizer " + tokenizerJson, e);
    }
  }

  public int maxLength() {
    return maxLength;
  }

  public TokenizedText[] tokenize(List<String> texts) {
    return tokenize(texts, maxLength);
  }

  /**
   * The texts cut to {@code limit} tokens (at most the max length), e.g. a batch's token budget
   * when one text alone would exceed it.
   */
  public TokenizedText[] tokenize(List<String> texts, int limit) {
    int tokens = limit(limit);
    TokenizedText[] out = encode(texts.toArray(String[]::new));
    for (int i = 0; i < out.length; i++) {
      out[i] = cut(out[i], tokens);
    }
    return out;
  }

  public TokenizedText tokenize(String text) {
    return cut(encode(text)[0], maxLength);
  }

  /**
   * The texts whole, special tokens added and the end token appended where needed, through the
   * tokenizer's native batch call, reading back only the ids and type ids (DJL's {@link Encoding}
   * would also copy every text's tokens as strings, its offsets, masks and word ids).
   */
  private TokenizedText[] encode(String... texts) {
    long[] encodings = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), texts, true);
    try {
      TokenizedText[] out = new TokenizedText[encodings.length];
      for (int i = 0; i < encodings.length; i++) {
        long[] ids = withEos(TokenizersLibrary.LIB.getTokenIds(encodings[i]));
        long[] types = withEos(TokenizersLibrary.LIB.getTypeIds(encodings[i]), 0);
        out[i] = new TokenizedText(ids, types, ids.length);
      }
      return out;
    } finally {
      for (long encoding : encodings) {
        TokenizersLibrary.LIB.deleteEncoding(encoding);
      }
    }
  }

  /**
   * Tokens each window of a chunked text repeats beyond the text's own: the special tokens around
   * it plus the {@code overlap} it shares with the window before. A text of {@code tokenCount}
   * tokens (special tokens included) embedded in {@code n} windows gives the model {@code
   * tokenCount + (n - 1) * repeatedPerWindow(overlap)} tokens.
   */
  public int repeatedPerWindow(int overlap) {
    return leadingSpecials + trailingSpecials + overlap;
  }

  /**
   * Text tokens one window of at most {@code limit} tokens (and at most the max length) holds: that
   * less the special tokens around the text.
   */
  public int textWindow(int limit) {
    return limit(limit) - leadingSpecials - trailingSpecials;
  }

  /**
   * The whole text as windows of at most max length tokens, each with the tokenizer's special
   * tokens around it, consecutive windows sharing {@code overlap} tokens of text. A text that fits
   * is one window, the same as {@link #tokenize(String)}.
   */
  public List<TokenizedText> chunks(String text, int overlap) {
    return chunks(text, overlap, maxLength);
  }

  /** {@link #chunks(String, int)} with windows of at most {@code limit} tokens. */
  public List<TokenizedText> chunks(String text, int overlap, int limit) {
    int tokens = limit(limit);
    TokenizedText whole = encode(text)[0];
    if (whole.length() <= tokens) {
      return List.of(whole);
    }
    long[] ids = whole.ids();
    long[] types = whole.typeIds();
    int contentEnd = ids.length - trailingSpecials;
    int window = textWindow(tokens);
    if (overlap < 0 || overlap >= window) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot set --chunk-overlap to %d: must be at least 0 and below the %d text tokens"
                  + " a window holds",
              overlap, window));
    }
    List<TokenizedText> chunks = new ArrayList<>();
    for (int start = leadingSpecials; ; start += window - overlap) {
      int end = Math.min(contentEnd, start + window);
      int length = leadingSpecials + (end - start) + trailingSpecials;
      long[] chunkIds = new long[length];
      long[] chunkTypes = new long[length];
      System.arraycopy(ids, 0, chunkIds, 0, leadingSpecials);
      System.arraycopy(types, 0, chunkTypes, 0, leadingSpecials);
      System.arraycopy(ids, start, chunkIds, leadingSpecials, end - start);
      System.arraycopy(types, start, chunkTypes, leadingSpecials, end - start);
      System.arraycopy(ids, contentEnd, chunkIds, length - trailingSpecials, trailingSpecials);
      System.arraycopy(types, contentEnd, chunkTypes, length - trailingSpecials, trailingSpecials);
      chunks.add(new TokenizedText(chunkIds, chunkTypes, length));
      if (end == contentEnd) {
        return chunks;
      }
    }
  }

  private long[] withEos(long[] ids) {
    return withEos(ids, appendedId);
  }

  private long[] withEos(long[] values, long appended) {
    if (appendedId < 0) {
      return values;
    }
    long[] out = Arrays.copyOf(values, values.length + 1);
    out[values.length] = appended;
    return out;
  }

  private int limit(int limit) {
    int tokens = Math.min(limit, maxLength);
    if (leadingSpecials + trailingSpecials >= tokens) {
      throw new IllegalArgumentException(
          "a limit of " + limit + " tokens leaves no room for text after the special tokens");
    }
    return tokens;
  }

  private TokenizedText cut(TokenizedText whole, int limit) {
    long[] ids = whole.ids();
    long[] typeIds = whole.typeIds();
    int count = ids.length;
    if (count <= limit) {
      return whole;
    }
    int head = limit - trailingSpecials;
    long[] keptIds = Arrays.copyOf(ids, limit);
    long[] keptTypes = Arrays.copyOf(typeIds, limit);
    System.arraycopy(ids, count - trailingSpecials, keptIds, head, trailingSpecials);
    System.arraycopy(typeIds, count - trailingSpecials, keptTypes, head, trailingSpecials);
    return new TokenizedText(keptIds, keptTypes, count);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
