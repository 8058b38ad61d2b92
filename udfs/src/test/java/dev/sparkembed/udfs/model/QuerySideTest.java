package dev.sparkembed.udfs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkembed.udfs.embed.TextRole;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every model of the built-in registry states how its queries are embedded, as its authors do: an
 * asymmetric model has its query prefix or instruction, a symmetric one embeds queries as passages.
 */
class QuerySideTest {

  private static final String BGE = "Represent this sentence for searching relevant passages: ";
  private static final String QWEN =
      "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:";

  /** The text each model embeds for the query "q", by model name prefix; the first match wins. */
  private static final List<Map.Entry<String, String>> QUERY_OF_Q =
      List.of(
          Map.entry("all-minilm", "q"),
          Map.entry("bge-m3", "q"),
          Map.entry("bge-", BGE + "q"),
          Map.entry("e5-", "query: q"),
          Map.entry("qwen3-embedding", QWEN + "q"),
          Map.entry(
              "gte-qwen2",
              "Instruct: Given a web search query, retrieve relevant passages that answer the"
                  + " query\nQuery: q"),
          Map.entry(
              "nv-embed",
              "Instruct: Given a question, retrieve passages that answer the question\nQuery: q"),
          Map.entry(
              "kalm",
              "Instruct: Given a query, retrieve documents that answer the query \nQuery: q"),
          Map.entry(
              "jina-code", "Find the most relevant code snippet given the following query:\nq"),
          Map.entry("embeddinggemma", "task: search result | query: q"));

  @Test
  void everyBuiltInModelStatesItsQuerySide() {
    ModelRegistry registry = ModelRegistry.builtIn();
    for (String name : registry.names()) {
      String expected =
          QUERY_OF_Q.stream()
              .filter(e -> name.startsWith(e.getKey()))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElseThrow(() -> new AssertionError(name + ": no query side stated in this test"));
      RegistryEntry entry = registry.entry(name);
      QueryInstruction query =
          new QueryInstruction(entry.queryPrefix(), entry.defaultTask()).validated(name);
      assertEquals(expected, query.apply("q", null), name);
    }
  }

  @Test
  void theQueryRoleUsesTheInstructionAndThePassageRoleThePrefix() {
    ModelSpec e5 = ModelRegistry.builtIn().get("e5-small-v2");
    assertEquals("query: q", TextRole.query(null).format(e5.text(), "q"));
    assertEquals("passage: q", TextRole.PASSAGE.format(e5.text(), "q"));
    TextFormat instructed =
        new TextFormat("", new QueryInstruction("Instruct: {task}\nQuery:", "find"), "", null, 8)
            .validated("m");
    assertEquals("Instruct: rank\nQuery:q", TextRole.query("rank").format(instructed, "q"));
    assertEquals("Instruct: find\nQuery:q", TextRole.named("QUERY", null).format(instructed, "q"));
    assertTrue(TextRole.named("passage", "ignored").format(instructed, "q").equals("q"));
  }
}
