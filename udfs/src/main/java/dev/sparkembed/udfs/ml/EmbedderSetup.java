package dev.sparkembed.udfs.ml;

import dev.sparkembed.udfs.embed.BatchRequest;
import dev.sparkembed.udfs.embed.LongText;
import dev.sparkembed.udfs.embed.TextRole;
import dev.sparkembed.udfs.model.ModelLookup;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.spark.AppendedColumns;
import dev.sparkembed.udfs.spark.DeviceSettings;
import dev.sparkembed.udfs.spark.EmbedPartitions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A {@link SentenceEmbedder}'s params checked against an input schema and turned into what the
 * executors run; every error names the param or column at fault.
 */
record EmbedderSetup(
    ModelSpec spec,
    BatchRequest batch,
    LongText longText,
    DeviceSettings devices,
    TextRole role,
    AppendedColumns layout) {

  static EmbedderSetup of(SentenceEmbedder e, StructType schema) {
    String input = e.getInputCol();
    String output = e.getOutputCol();
    require(!input.isBlank(), "inputCol", input, "name the string column to embed");
    require(!output.isBlank(), "outputCol", output, "name the column the vectors go to");
    StructField field = find(schema, input);
    require(
        field != null,
        "inputCol",
        input,
        "no such column in the input (columns: " + String.join(", ", schema.fieldNames()) + ")");
    require(
        field.dataType().equals(DataTypes.StringType),
        "inputCol",
        input,
        "the column is " + field.dataType().simpleString() + ", and must be string");
    String tokenCount = blankToNull(e.getTokenCountCol());
    String truncated = blankToNull(e.getTruncatedCol());
    Set<String> added = new HashSet<>();
    newColumn(schema, added, "outputCol", output);
    newColumn(schema, added, "tokenCountCol", tokenCount);
    newColumn(schema, added, "truncatedCol", truncated);

    require(e.getBatchSize() >= 1, "batchSize", e.getBatchSize(), "must be at least 1");
    require(e.getBatchTokens() >= 16, "batchTokens", e.getBatchTokens(), "must be at least 16");
    require(
        e.getWindowRows() >= e.getBatchSize(),
        "windowRows",
        e.getWindowRows(),
        "must be at least batchSize (" + e.getBatchSize() + ")");
    require(e.getChunkOverlap() >= 0, "chunkOverlap", e.getChunkOverlap(), "must be at least 0");
    String mode = e.getLongText().toLowerCase(Locale.ROOT);
    require(
        mode.equals("truncate") || mode.equals("chunk"),
        "longText",
        e.getLongText(),
        "use truncate or chunk");
    String roleName = e.getRole().toLowerCase(Locale.ROOT);
    require(
        roleName.equals("passage") || roleName.equals("query"),
        "role",
        e.getRole(),
        "use passage or query");
    String deviceName = e.getDevice().toLowerCase(Locale.ROOT);
    require(
        List.of("auto", "gpu", "cpu").contains(deviceName),
        "device",
        e.getDevice(),
        "use auto, gpu or cpu");

    ModelSpec spec;
    try {
      spec = ModelLookup.spec(e.getRegistry(), e.getModel());
    } catch (RuntimeException failure) {
      String param = e.getModel().isBlank() ? "registry" : "model";
      String value = param.equals("model") ? e.getModel() : e.getRegistry();
      throw new IllegalArgumentException(message(param, value, failure.getMessage()), failure);
    }
    String task = blankToNull(e.getTask());
    if (task != null) {
      require(roleName.equals("query"), "task", task, "a task applies to role query only");
      require(
          spec.text().query().hasTask(),
          "task",
          task,
          "model "
              + spec.name()
              + "'s query instruction has no {task} (it is '"
              + spec.text().query().template()
              + "')");
    }
    return new EmbedderSetup(
        spec,
        new BatchRequest(
            e.isSet(e.batchSize()) ? e.getBatchSize() : null,
            e.isSet(e.batchTokens()) ? e.getBatchTokens() : null,
            e.isSet(e.windowRows()) ? e.getWindowRows() : null),
        mode.equals("chunk") ? LongText.chunked(e.getChunkOverlap()) : LongText.TRUNCATE,
        new DeviceSettings(deviceName, false),
        TextRole.named(roleName, task),
        new AppendedColumns(schema, field.name(), output, tokenCount, truncated));
  }

  /** The partition function that embeds with this setup. */
  EmbedPartitions partitions() {
    return new EmbedPartitions(spec, batch, longText, devices, role, layout);
  }

  private static StructField find(StructType schema, String column) {
    return Arrays.stream(schema.fields())
        .filter(f -> f.name().equals(column))
        .findFirst()
        .orElse(null);
  }

  private static void newColumn(StructType schema, Set<String> added, String param, String name) {
    if (name == null) {
      return;
    }
    require(
        find(schema, name) == null,
        param,
        name,
        "the input already has that column; name a new one");
    require(
        added.add(name),
        param,
        name,
        "another of outputCol, tokenCountCol and truncatedCol has that name");
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static void require(boolean ok, String param, Object value, String why) {
    if (!ok) {
      throw new IllegalArgumentException(message(param, value, why));
    }
  }

  private static String message(String param, Object value, String why) {
    return String.format("SentenceEmbedder: cannot set %s to '%s': %s", param, value, why);
  }
}
