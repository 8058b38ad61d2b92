package dev.sparkembed.udfs.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
  private final int maxLength;
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
    this.trailingSpecials = trail;
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
