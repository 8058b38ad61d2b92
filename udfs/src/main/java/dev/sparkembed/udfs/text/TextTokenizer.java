package dev.sparkembed.udfs.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Hugging Face {@code tokenizer.json} with the model's own max length.
 *
 * <p>Truncation and padding written in the tokenizer file are switched off: the file's values are
 * often not the model's (the MiniLM file says 128 where the model uses 256). Texts are encoded
 * whole, so the count before truncation is known, then cut here to {@code maxLength}, keeping the
 * special tokens the tokenizer puts at the start and the end.
 */
public final class TextTokenizer implements AutoCloseable {

  private static final String PROBE = "probe";

  private final HuggingFaceTokenizer tokenizer;
  private final int highestId;
  private final int maxLength;
  private final int leadingSpecials;
  private final int trailingSpecials;

  public TextTokenizer(Path tokenizerJson, int maxLength) {
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
    this.highestId = highestId(tokenizerJson);
    this.maxLength = maxLength;
    long[] mask = tokenizer.encode(PROBE).getSpecialTokenMask();
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
    this.trailingSpecials = trail;
  }

  /** The largest token id the tokenizer can produce: its vocabulary and added tokens. */
  public int highestId() {
    return highestId;
  }

  private static int highestId(Path tokenizerJson) {
    try {
      JsonNode json = new ObjectMapper().readTree(tokenizerJson.toFile());
      int highest = -1;
      JsonNode vocab = json.path("model").path("vocab");
      if (vocab.isObject()) {
        for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
          highest = Math.max(highest, id.asInt());
        }
      } else if (vocab.isArray()) {
        highest = vocab.size() - 1; // Unigram: ids are positions
      }
      for (JsonNode added : json.path("added_tokens")) {
        highest = Math.max(highest, added.path("id").asInt());
      }
      return highest;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read tokenizer " + tokenizerJson, e);
    }
  }

  public int maxLength() {
    return maxLength;
  }

  public TokenizedText[] tokenize(List<String> texts) {
    Encoding[] encodings = tokenizer.batchEncode(texts);
    TokenizedText[] out = new TokenizedText[encodings.length];
    for (int i = 0; i < encodings.length; i++) {
      out[i] = cut(encodings[i].getIds(), encodings[i].getTypeIds());
    }
    return out;
  }

  public TokenizedText tokenize(String text) {
    Encoding encoding = tokenizer.encode(text);
    return cut(encoding.getIds(), encoding.getTypeIds());
  }

  /** Text tokens one window holds: the max length less the special tokens around the text. */
  public int textWindow() {
    return maxLength - leadingSpecials - trailingSpecials;
  }

  /**
   * The whole text as windows of at most max length tokens, each with the tokenizer's special
   * tokens around it, consecutive windows sharing {@code overlap} tokens of text. A text that fits
   * is one window, the same as {@link #tokenize(String)}.
   */
  public List<TokenizedText> chunks(String text, int overlap) {
    Encoding encoding = tokenizer.encode(text);
    long[] ids = encoding.getIds();
    long[] types = encoding.getTypeIds();
    if (ids.length <= maxLength) {
      return List.of(new TokenizedText(ids, types, ids.length));
    }
    int contentEnd = ids.length - trailingSpecials;
    int window = textWindow();
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

  private TokenizedText cut(long[] ids, long[] typeIds) {
    int count = ids.length;
    if (count <= maxLength) {
      return new TokenizedText(ids, typeIds, count);
    }
    int head = maxLength - trailingSpecials;
    long[] keptIds = Arrays.copyOf(ids, maxLength);
    long[] keptTypes = Arrays.copyOf(typeIds, maxLength);
    System.arraycopy(ids, count - trailingSpecials, keptIds, head, trailingSpecials);
    System.arraycopy(typeIds, count - trailingSpecials, keptTypes, head, trailingSpecials);
    return new TokenizedText(keptIds, keptTypes, count);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
