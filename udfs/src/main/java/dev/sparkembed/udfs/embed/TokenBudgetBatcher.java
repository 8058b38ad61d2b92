package dev.sparkembed.udfs.embed;

import dev.sparkembed.udfs.text.TokenizedText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Orders texts by token length, longest first, and cuts them into batches whose padded size (rows x
 * longest row) stays within the token budget. Sorting keeps padding small: real paragraphs run from
 * a few tokens to the max length.
 */
public final class TokenBudgetBatcher {
  private TokenBudgetBatcher() {}

  /** Batches as index lists into {@code texts}. A text longer than the budget gets its own. */
  public static List<int[]> plan(TokenizedText[] texts, BatchSettings settings) {
    int[] order =
        IntStream.range(0, texts.length)
            .boxed()
            .sorted(Comparator.comparingInt((Integer i) -> texts[i].length()).reversed())
            .mapToInt(Integer::intValue)
            .toArray();
    List<int[]> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int longest = texts[order[start]].length();
      int rows = Math.max(1, Math.min(settings.maxRows(), settings.maxTokens() / longest));
      int end = Math.min(order.length, start + rows);
      int[] batch = new int[end - start];
      System.arraycopy(order, start, batch, 0, batch.length);
      batches.add(batch);
      start = end;
    }
    return batches;
  }
}
