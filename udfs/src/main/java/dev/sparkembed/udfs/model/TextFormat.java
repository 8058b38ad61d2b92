package dev.sparkembed.udfs.model;

import java.io.Serializable;

/**
 * How a text becomes the model's tokens.
 *
 * @param passagePrefix text put before every paragraph
 * @param query what a query needs before it (queries only)
 * @param eosToken the token every text must end with (decoder embedders pool it), appended when the
 *     tokenizer does not add it itself; empty when the model needs none
 * @param padding where batches pad shorter texts; pooling reads each text's own tokens either way,
 *     so it does not change the vectors
 * @param maxLength tokens per text, special tokens included; longer texts are truncated or chunked
 */
public record TextFormat(
    String passagePrefix, QueryInstruction query, String eosToken, Padding padding, int maxLength)
    implements Serializable {

  TextFormat validated(String key) {
    Check.require(maxLength >= 2, key, "max_length", maxLength, "must be at least 2");
    return new TextFormat(
        passagePrefix == null ? "" : passagePrefix,
        (query == null ? QueryInstruction.NONE : query).validated(key),
        eosToken == null ? "" : eosToken,
        padding == null ? Padding.RIGHT : padding,
        maxLength);
  }

  public boolean appendsEos() {
    return !eosToken.isEmpty();
  }

  public boolean leftPadding() {
    return padding == Padding.LEFT;
  }

  TextFormat withMaxLength(int tokens) {
    return new TextFormat(passagePrefix, query, eosToken, padding, tokens);
  }

  TextFormat withPassagePrefix(String prefix) {
    return new TextFormat(prefix, query, eosToken, padding, maxLength);
  }

  TextFormat withPadding(Padding side) {
    return new TextFormat(passagePrefix, query, eosToken, side, maxLength);
  }

  TextFormat withDefaultTask(String task) {
    return new TextFormat(
        passagePrefix, new QueryInstruction(query.template(), task), eosToken, padding, maxLength);
  }
}
