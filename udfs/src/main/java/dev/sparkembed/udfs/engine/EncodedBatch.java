package dev.sparkembed.udfs.engine;

import dev.sparkembed.udfs.text.TokenizedText;
import java.util.List;

/**
 * Texts padded on the right to one length, as the engine's {@code [rows, seqLen]} inputs.
 *
 * @param lengths each row's real token count; positions past it are padding
 */
public record EncodedBatch(
    long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int[] lengths, int seqLen) {

  public static EncodedBatch of(List<TokenizedText> texts) {
    int rows = texts.size();
    int seqLen = 0;
    for (TokenizedText text : texts) {
      seqLen = Math.max(seqLen, text.length());
    }
    long[] ids = new long[rows * seqLen];
    long[] mask = new long[rows * seqLen];
    long[] types = new long[rows * seqLen];
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      TokenizedText text = texts.get(r);
      int n = text.length();
      System.arraycopy(text.ids(), 0, ids, r * seqLen, n);
      System.arraycopy(text.typeIds(), 0, types, r * seqLen, n);
      for (int t = 0; t < n; t++) {
        mask[r * seqLen + t] = 1;
      }
      lengths[r] = n;
    }
    return new EncodedBatch(ids, mask, types, lengths, seqLen);
  }

  public int rows() {
    return lengths.length;
  }

  /** Tokens the engine computes for this batch, padding included. */
  public long paddedTokens() {
    return (long) rows() * seqLen;
  }
}
