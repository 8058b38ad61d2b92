package dev.sparkembed.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Checks sparkembed command lines with the real parser, running nothing: what deployment files
 * (Airflow DAGs, Databricks bundles) pass to {@link SparkEmbed} is a command line it accepts.
 *
 * <p>Reads one JSON request per line from standard input and writes one JSON answer per line:
 *
 * <pre>
 * {"id": "t1", "args": ["embed", "--input", "in", "--output", "out"]}
 * {"id": "t2", "bundle": "deploy/databricks/databricks.yml", "job": "sparkembed_cpu",
 *  "job_parameters": {"mode": "resume"}}
 * </pre>
 *
 * A bundle request checks every JAR task of the job, its parameters resolved from the job's
 * parameter defaults (overridden by {@code job_parameters}) and the bundle's variable defaults.
 * Answers: {@code {"id": ..., "ok": true|false, "commands": [[...]], "errors": [...]}}.
 */
public final class ArgsCheck {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB_PARAMETER =
      Pattern.compile("\\{\\{job\\.parameters\\.([\\w-]+)}}");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{var\\.([\\w-]+)}");

  private ArgsCheck() {}

  public static void main(String[] args) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    for (String line; (line = in.readLine()) != null; ) {
      if (!line.isBlank()) {
        out.println(JSON.writeValueAsString(answer(JSON.readTree(line))));
      }
    }
  }

  static ObjectNode answer(JsonNode request) {
    ObjectNode answer = JSON.createObjectNode();
    answer.set("id", request.path("id"));
    List<List<String>> commands = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try {
      if (request.has("bundle")) {
        commands.addAll(
            bundleCommands(
                Path.of(request.path("bundle").asText()),
                request.path("job").asText(),
                strings(request.path("job_parameters"))));
        if (commands.isEmpty()) {
          errors.add("job " + request.path("job").asText() + " has no spark_jar_task");
        }
      } else {
        List<String> command = new ArrayList<>();
        request.path("args").forEach(a -> command.add(a.asText()));
        commands.add(command);
      }
      for (List<String> command : commands) {
        String error = check(command);
        if (error != null) {
          errors.add(error);
        }
      }
    } catch (IOException | RuntimeException e) {
      errors.add(e.toString());
    }
    answer.put("ok", errors.isEmpty());
    ArrayNode commandsNode = answer.putArray("commands");
    for (List<String> command : commands) {
      ArrayNode node = commandsNode.addArray();
      command.forEach(node::add);
    }
    ArrayNode errorsNode = answer.putArray("errors");
    errors.forEach(errorsNode::add);
    return answer;
  }

  /**
   * Null when {@code args} is a command line sparkembed runs (a command, its required options,
   * known options with values of the right type); else what is wrong, as sparkembed says it.
   */
  public static String check(List<String> args) {
    CommandLine cli = SparkEmbed.parser();
    try {
      ParseResult result = cli.parseArgs(args.toArray(String[]::new));
      if (!result.hasSubcommand()) {
        return "no command (embed, models, evaluate, bench): " + args;
      }
      return null;
    } catch (CommandLine.ParameterException e) {
      return e.getMessage() + " in " + args;
    }
  }

  /** The command lines of every spark_jar_task of {@code job} in a Databricks bundle file. */
  static List<List<String>> bundleCommands(
      Path bundleFile, String job, Map<String, String> overrides) throws IOException {
    JsonNode bundle = new ObjectMapper(new YAMLFactory()).readTree(bundleFile.toFile());
    Map<String, String> variables = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> variable : entries(bundle.path("variables")).entrySet()) {
      variables.put(variable.getKey(), variable.getValue().path("default").asText());
    }
    JsonNode jobNode = bundle.path("resources").path("jobs").path(job);
    if (jobNode.isMissingNode()) {
      throw new IllegalArgumentException("no job " + job + " in " + bundleFile);
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (JsonNode parameter : jobNode.path("parameters")) {
      parameters.put(
          parameter.path("name").asText(),
          substitute(VARIABLE, parameter.path("default").asText(), variables, "variable"));
    }
    for (Map.Entry<String, String> override : overrides.entrySet()) {
      if (!parameters.containsKey(override.getKey())) {
        throw new IllegalArgumentException(
            "job "
                + job
                + " has no parameter "
                + override.getKey()
                + " (has "
                + parameters.keySet()
                + ")");
      }
      parameters.put(override.getKey(), override.getValue());
    }
    List<List<String>> commands = new ArrayList<>();
    for (JsonNode task : jobNode.path("tasks")) {
      JsonNode jar = task.path("spark_jar_task");
      if (jar.isMissingNode()) {
        continue;
      }
      if (!SparkEmbed.class.getName().equals(jar.path("main_class_name").asText())) {
        throw new IllegalArgumentException(
            "task " + task.path("task_key").asText() + " runs " + jar.path("main_class_name"));
      }
      List<String> command = new ArrayList<>();
      for (JsonNode parameter : jar.path("parameters")) {
        String value = substitute(VARIABLE, parameter.asText(), variables, "variable");
        command.add(substitute(JOB_PARAMETER, value, parameters, "job parameter"));
      }
      commands.add(command);
    }
    return commands;
  }

  private static String substitute(
      Pattern pattern, String text, Map<String, String> values, String what) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("unknown " + what + " " + m.group() + " in " + text);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** An object node's members, in order (none for a missing node). */
  private static Map<String, JsonNode> entries(JsonNode object) {
    if (!object.isObject()) {
      return Map.of();
    }
    return JSON.convertValue(object, new TypeReference<LinkedHashMap<String, JsonNode>>() {});
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    entries(object).forEach((k, v) -> map.put(k, v.asText()));
    return map;
  }
}
