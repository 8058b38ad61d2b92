package dev.sparkembed.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkembed.jobs.SparkSessions;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.jobs.corpus.CorpusSource;
import dev.sparkembed.jobs.search.Hit;
import dev.sparkembed.jobs.search.TableSearch;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sparkembed search}: a table's paragraphs closest to queries. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description =
        "Find the paragraphs of an embedding table closest to queries, embedded as queries with"
            + " the table's own model.")
public final class SearchCommand implements Callable<Integer> {

  private static final int SHOWN_CHARS = 160;

  @Spec CommandSpec command;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "DIR",
      description = "The model's table: the embed run's --output folder / <model>.")
  String table;

  @Option(names = "--query", paramLabel = "TEXT", description = "A query; repeat for more.")
  List<String> queries = new ArrayList<>();

  @Option(
      names = "--queries",
      paramLabel = "FILE",
      description = "A file of queries, one a line (blank lines skipped).")
  Path queriesFile;

  @Option(
      names = "--top-k",
      paramLabel = "N",
      description = "Hits per query. Default: ${DEFAULT-VALUE}.")
  int topK = 10;

  @Option(
      names = "--corpus",
      paramLabel = "PATH",
      description =
          "The corpus the table was made from (as embed's --input, with its default column"
              + " names), to show each hit's text.")
  String corpus;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description =
          "The table's model (a registry name or a model folder), when its manifest's name is not"
              + " in the registry. It must have the table's fingerprint.")
  String model;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description =
          "Also write the hits as JSON Lines: query, rank, paper_id, paragraph_index, cosine,"
              + " text.")
  Path output;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws IOException {
    List<String> asked = queries();
    if (topK < 1) {
      throw new UserError("Cannot set --top-k to " + topK + ": must be at least 1");
    }
    SparkSession spark = SparkSessions.getOrCreate("sparkembed search");
    TableSearch search = TableSearch.of(spark, table, registry.load(), model);
    List<Hit> hits = search.search(asked, topK, corpus == null ? null : CorpusSource.of(corpus));
    print(asked, hits, command.commandLine().getOut());
    if (output != null) {
      write(asked, hits, search.manifest().model());
    }
    return 0;
  }

  private List<String> queries() throws IOException {
    List<String> all = new ArrayList<>(queries);
    if (queriesFile != null) {
      if (!Files.isRegularFile(queriesFile)) {
        throw new UserError("Cannot read --queries " + queriesFile + ": no such file");
      }
      for (String line : Files.readAllLines(queriesFile, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          all.add(line.strip());
        }
      }
    }
    if (all.isEmpty()) {
      throw new UserError("No queries: pass --query TEXT (repeatable) or --queries FILE");
    }
    return all;
  }

  private static void print(List<String> queries, List<Hit> hits, PrintWriter out) {
    for (int q = 0; q < queries.size(); q++) {
      out.printf(Locale.ROOT, "query %d: %s%n", q + 1, shorten(queries.get(q)));
      for (Hit hit : hits) {
        if (hit.query() != q) {
          continue;
        }
        out.printf(
            Locale.ROOT,
            "  %2d. %.4f  %s #%d%s%n",
            hit.rank(),
            hit.cosine(),
            hit.paperId(),
            hit.paragraphIndex(),
            hit.text() == null ? "" : "  " + shorten(hit.text()));
      }
    }
    out.flush();
  }

  private void write(List<String> queries, List<Hit> hits, String modelName) throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (OutputStream out = Files.newOutputStream(output)) {
      for (Hit hit : hits) {
        ObjectNode line = json.createObjectNode();
        line.put("query", queries.get(hit.query()));
        line.put("rank", hit.rank());
        line.put("paper_id", hit.paperId());
        line.put("paragraph_index", hit.paragraphIndex());
        line.put("cosine", hit.cosine());
        line.put("model", modelName);
        if (hit.text() != null) {
          line.put("text", hit.text());
        }
        out.write(json.writeValueAsBytes(line));
        out.write('\n');
      }
    }
  }

  private static String shorten(String text) {
    String flat = text.replaceAll("\\s+", " ");
    return flat.length() <= SHOWN_CHARS ? flat : flat.substring(0, SHOWN_CHARS) + "...";
  }
}
