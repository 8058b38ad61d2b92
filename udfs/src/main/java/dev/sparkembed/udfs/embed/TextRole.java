package dev.sparkembed.udfs.embed;

import dev.sparkembed.udfs.model.TextFormat;
import java.io.Serializable;
import java.util.Locale;

/**
 * Whether texts are embedded as passages (the model's passage prefix) or as queries (its query
 * prefix or instruction, for {@code task}; null: the model's default task).
 */
public record TextRole(boolean query, String task) implements Serializable {

  public static final TextRole PASSAGE = new TextRole(false, null);

  public static TextRole query(String task) {
    return new TextRole(true, task);
  }

  /** {@code passage} or {@code query}, as users name the roles; anything else is an error. */
  public static TextRole named(String role, String task) {
    String name = role == null ? "" : role.toLowerCase(Locale.ROOT);
    return switch (name) {
      case "passage" -> new TextRole(false, null);
      case "query" -> query(task);
      default ->
          throw new IllegalArgumentException(
              "Cannot set role to '" + role + "': use passage or query");
    };
  }

  /** The text the model embeds for {@code text} in this role. */
  public String format(TextFormat format, String text) {
    return prompt(format) + text;
  }

  /** What this role puts before every text: the query instruction or the passage prefix. */
  public String prompt(TextFormat format) {
    return query ? format.query().prompt(task) : format.passagePrefix();
  }
}
