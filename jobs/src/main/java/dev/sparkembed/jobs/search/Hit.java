package dev.sparkembed.jobs.search;

/**
 * One row of a table found for a query.
 *
 * @param query the query's position among the queries, from 0
 * @param rank 1 for the closest row
 * @param text the paragraph's text, or null when no corpus was given
 */
public record Hit(
    int query, int rank, String paperId, int paragraphIndex, float cosine, String text) {

  Hit withRank(int newRank) {
    return new Hit(query, newRank, paperId, paragraphIndex, cosine, text);
  }

  Hit withText(String newText) {
    return new Hit(query, rank, paperId, paragraphIndex, cosine, newText);
  }
}
