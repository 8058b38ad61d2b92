package dev.sparkembed.udfs.model;

import java.io.Serializable;

/**
 * What a query needs before it to be comparable with the model's passages: a fixed prefix ({@code
 * "query: "}) or an instruction template whose {@code {task}} names the retrieval task ({@code
 * "Instruct: {task}\nQuery:"}). Applied to queries only, never to passages.
 *
 * @param template the text before the query; {@code {task}} is replaced by the task
 * @param defaultTask the task when a run names none
 */
public record QueryInstruction(String template, String defaultTask) implements Serializable {

  public static final String TASK = "{task}";
  public static final QueryInstruction NONE = new QueryInstruction("", "");

  /** The text the model embeds for {@code query}, for {@code task} or the default task if null. */
  public String apply(String query, String task) {
    return prompt(task) + query;
  }

  /** What goes before every query, for {@code task} or the default task if null. */
  public String prompt(String task) {
    return template.replace(TASK, task == null ? defaultTask : task);
  }

  public boolean hasTask() {
    return template.contains(TASK);
  }

  QueryInstruction validated(String key) {
    String text = template == null ? "" : template;
    String task = defaultTask == null ? "" : defaultTask;
    Check.require(
        !text.contains(TASK) || !task.isBlank(),
        key,
        "default_task",
        "nothing",
        "query_prefix has " + TASK + ", so the model needs a default task");
    return new QueryInstruction(text, task);
  }
}
