package dev.sparkembed.jobs.corpus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.trim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads JSON Lines one line at a time, so that whatever is wrong with a line (not JSON, invalid
 * UTF-8, a key twice in one object, a text that is a number or an object, a key that differs only
 * in case) is that line's rejected row, never a failure of the whole corpus. Each row holds the
 * three columns the job reads as strings, the line itself when it has a problem ({@link
 * CorpusReader#CORRUPT_RECORD}) and the problem ({@link CorpusReader#READ_PROBLEM}); other keys are
 * not read.
 */
final class JsonLinesReader {

  /** Lines looked at for the key names before the read, to stop a run that names a wrong key. */
  static final int SAMPLE_LINES = 1_000;

  private static final int SHOWN_CHARS = 200;

  private JsonLinesReader() {}

  static Dataset<Row> read(SparkSession spark, CorpusSource source) {
    Dataset<Row> lines = spark.read().text(source.input()).where(length(trim(col("value"))).gt(0));
    checkKeys(lines, source);
    StructType schema =
        new StructType()
            .add(source.idColumn(), DataTypes.StringType)
            .add(source.indexColumn(), DataTypes.StringType)
            .add(source.textColumn(), DataTypes.StringType)
            .add(CorpusReader.CORRUPT_RECORD, DataTypes.StringType)
            .add(CorpusReader.READ_PROBLEM, DataTypes.StringType);
    return lines
        .select(col("value").cast(DataTypes.BinaryType))
        .mapPartitions(
            new LineParser(source.idColumn(), source.indexColumn(), source.textColumn()),
            Encoders.row(schema));
  }

  /**
   * Stops before any work when a key the job reads is in none of the first lines: a wrong option,
   * not a bad row. Lists the keys found, or says the input is empty.
   */
  private static void checkKeys(Dataset<Row> lines, CorpusSource source) {
    List<Row> sample = lines.limit(SAMPLE_LINES).collectAsList();
    ObjectReader reader = LineParser.reader();
    TreeSet<String> found = new TreeSet<>();
    boolean parsed = false;
    for (Row row : sample) {
      try {
        JsonNode node = reader.readTree(row.getString(0));
        if (node != null && node.isObject()) {
          parsed = true;
          node.fieldNames().forEachRemaining(found::add);
        }
      } catch (IOException e) {
        // a malformed line is a rejected row, later
      }
    }
    if (sample.isEmpty() || parsed) {
      CorpusReader.checkColumns(List.copyOf(found), source);
    }
  }

  /** Parses the lines of a partition into rows. */
  static final class LineParser implements MapPartitionsFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;

    private final String idKey;
    private final String indexKey;
    private final String textKey;

    LineParser(String idKey, String indexKey, String textKey) {
      this.idKey = idKey;
      this.indexKey = indexKey;
      this.textKey = textKey;
    }

    static ObjectReader reader() {
      return JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .readerFor(JsonNode.class);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> lines) {
      ObjectReader reader = reader();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return lines.hasNext();
        }

        @Override
        public Row next() {
          return parse(reader, lines.next().getAs(0));
        }
      };
    }

    Row parse(ObjectReader reader, byte[] line) {
      JsonNode node;
      try {
        node = reader.readTree(line);
      } catch (IOException e) {
        String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        String problem =
            why.startsWith("Duplicate field")
                ? "malformed record (" + why + " in one object): "
                : "malformed record: ";
        return bad(line, problem + shown(line));
      }
      if (node == null || !node.isObject()) {
        return bad(line, "malformed record: not a JSON object: " + shown(line));
      }
      String problem = null;
      String id = null;
      String index = null;
      String text = null;
      JsonNode idNode = node.get(idKey);
      if (idNode == null) {
        problem = absent(node, idKey);
      } else if (idNode.isTextual() || idNode.isIntegralNumber()) {
        id = idNode.asText();
      } else if (!idNode.isNull()) {
        problem = wrongType(idKey, idNode, "a string");
      }
      JsonNode indexNode = node.get(indexKey);
      if (indexNode == null) {
        problem = problem != null ? problem : absent(node, indexKey);
      } else if (indexNode.isTextual() || indexNode.isIntegralNumber()) {
        index = indexNode.asText();
      } else if (indexNode.isFloatingPointNumber()) {
        double value = indexNode.doubleValue();
        index =
            value == Math.rint(value) && Math.abs(value) < 1e18
                ? Long.toString((long) value)
                : indexNode.asText();
      } else if (!indexNode.isNull()) {
        problem = problem != null ? problem : wrongType(indexKey, indexNode, "an integer");
      }
      JsonNode textNode = node.get(textKey);
      if (textNode == null) {
        problem = problem != null ? problem : absent(node, textKey);
      } else if (textNode.isTextual()) {
        text = textNode.asText();
      } else if (!textNode.isNull()) {
        problem = problem != null ? problem : wrongType(textKey, textNode, "a string");
      }
      return RowFactory.create(id, index, text, problem == null ? null : decoded(line), problem);
    }

    private static Row bad(byte[] line, String problem) {
      return RowFactory.create(null, null, null, decoded(line), problem);
    }

    /** Says a key is missing, and names a key that differs from it only in case. */
    private static String absent(JsonNode node, String key) {
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (name.equalsIgnoreCase(key)) {
          return String.format(
              "no key '%s' (the record has '%s'; keys are case-sensitive)", key, name);
        }
      }
      return "no key '" + key + "'";
    }

    private static String wrongType(String key, JsonNode value, String expected) {
      String type = value.getNodeType().name().toLowerCase(Locale.ROOT);
      String source = value.toString();
      return String.format(
          "%s is a JSON %s, not %s: %s",
          key, type, expected, source.length() > 80 ? source.substring(0, 80) + "..." : source);
    }

    private static String decoded(byte[] line) {
      return new String(line, StandardCharsets.UTF_8);
    }

    private static String shown(byte[] line) {
      String text = decoded(line);
      return text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) : text;
    }
  }
}
