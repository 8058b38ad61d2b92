package dev.sparkembed.udfs.engine;

import dev.sparkembed.udfs.text.TokenizedText;
import java.util.List;

/**
 * Texts padded to one length, as the engine's {@code [rows, seqLen]} inputs.
 *
 * @param starts where each row's tokens begin: 0 with right padding, after the pad with left
 * @param lengths each row's real token count
 * @param promptTokens each row's leading tokens that pooling leaves out (see {@link
 *     TokenizedText#promptTokens()})
 */
public record EncodedBatch(
    long[] inputIds,
    long[] attentionMask,
    long[] tokenTypeIds,
    int[] starts,
    int[] lengths,
    int[] promptTokens,
    int seqLen) {

  /** Right-padded, as encoders expect. */
  public static EncodedBatch of(List<TokenizedText> texts) {
    return of(texts, false);
  }

  /**
   * @param leftPadding pad before the tokens, as decoder models served with left padding expect
   */
  public static EncodedBatch of(List<TokenizedText> texts, boolean leftPadding) {
    int rows = texts.size();
    int seqLen = 0;
    for (TokenizedText text : texts) {
      seqLen = Math.max(seqLen, text.length());
    }
    long[] ids = new long[rows * seqLen];
    long[] mask = new long[rows * seqLen];
    long[] types = new long[rows * seqLen];
    int[] starts = new int[rows];
    int[] lengths = new int[rows];
    int[] promptTokens = new int[rows];
    for (int r = 0; r < rows; r++) {
      TokenizedText text = texts.get(r);
      int n = text.length();
      int start = leftPadding ? seqLen - n : 0;
      System.arraycopy(text.ids(), 0, ids, r * seqLen + start, n);
      System.arraycopy(text.typeIds(), 0, types, r * seqLen + start, n);
      for (int t = 0; t < n; t++) {
        mask[r * seqLen + start + t] = 1;
      }
      starts[r] = start;
      lengths[r] = n;
      promptTokens[r] = text.promptTokens();
    }
    return new EncodedBatch(ids, mask, types, starts, lengths, promptTokens, seqLen);
  }

  /**
   * Each token's position among its row's real tokens (0 for the first), as decoder exports that
   * take {@code position_ids} expect: the same under left and right padding. Padding gets 0.
   */
  public long[] positionIds() {
    long[] positions = new long[attentionMask.length];
    for (int r = 0; r < rows(); r++) {
      for (int t = 0; t < lengths[r]; t++) {
        positions[r * seqLen + starts[r] + t] = t;
      }
    }
    return positions;
  }

  public int rows() {
    return lengths.length;
  }

  /** Tokens the engine computes for this batch, padding included. */
  public long paddedTokens() {
    return (long) rows() * seqLen;
  }
}
