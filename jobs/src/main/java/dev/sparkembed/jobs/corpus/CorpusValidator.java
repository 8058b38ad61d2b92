package dev.sparkembed.jobs.corpus;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;

/**
 * Decides, row by row, what can be embedded. Every input row ends up in exactly one place: the
 * valid rows (one per key), the rejected rows (with a reason), or as an identical duplicate of a
 * valid row. Bad rows never fail the job.
 */
public final class CorpusValidator {

  public static final String REASON = "reason";
  static final int MAX_PAPER_ID_LENGTH = 1024;

  private static final String PID = "_se_paper_id";
  private static final String IDX = "_se_paragraph_index";
  private static final String SHA = "_se_text_sha256";
  private static final String FIRST_REASON = "_se_first_reason";
  private static final String REJECT = "_se_reason";
  private static final String COPY = "_se_copy";
  private static final String BLANK = "^[\\s\\p{Z}\\p{C}]*$";
  private static final String MARKS_ONLY = "^[\\s\\p{Z}\\p{C}\\p{M}]*$";

  /** Bytes of input per partition of the check. */
  static final long BYTES_PER_PARTITION = 64L << 20;

  private CorpusValidator() {}

  /**
   * Reads the corpus and checks it, over partitions planned from its size: at least two per task
   * slot, one per 64 MB.
   */
  public static ValidatedCorpus readAndValidate(SparkSession spark, CorpusSource source) {
    Dataset<Row> corpus = CorpusReader.read(spark, source);
    long bytes = corpus.queryExecution().optimizedPlan().stats().sizeInBytes().longValue();
    int slots = Math.max(1, spark.sparkContext().defaultParallelism());
    long partitions = Math.max(2L * slots, bytes / BYTES_PER_PARTITION + 1);
    return validate(corpus, source, (int) Math.min(100_000, partitions));
  }

  /**
   * @param partitions partitions of the check; rows are spread over them by key, so the duplicate
   *     check needs no further shuffle
   */
  public static ValidatedCorpus validate(Dataset<Row> corpus, CorpusSource source, int partitions) {
    List<String> inputColumns = Arrays.asList(corpus.columns());
    List<String> kept =
        inputColumns.stream().filter(c -> !c.equals(CorpusReader.READ_PROBLEM)).toList();
    Column text = corpus.col(quote(source.textColumn()));
    checkType(corpus, source.textColumn(), "--text-column", "a string", DataTypes.StringType);
    Column paperId = paperId(corpus, source.idColumn());
    Column[] index = paragraphIndex(corpus, source.indexColumn());
    Column rawIndex = corpus.col(quote(source.indexColumn()));

    Column firstReason =
        when(col(PID).isNull(), lit("paper_id is null"))
            .when(col(PID).rlike(BLANK), lit("paper_id is empty"))
            .when(
                length(col(PID)).gt(MAX_PAPER_ID_LENGTH),
                concat(
                    lit("paper_id is longer than " + MAX_PAPER_ID_LENGTH + " characters: "),
                    substring(col(PID), 1, 80),
                    lit("...")))
            .when(rawIndex.isNull(), lit("paragraph_index is null"))
            .when(
                index[1].isNotNull(),
                concat(index[1], lit(": "), substring(rawIndex.cast("string"), 1, 80)))
            .when(col(IDX).lt(0), concat(lit("paragraph_index is negative: "), col(IDX)))
            .when(text.isNull(), lit("text is null"))
            .when(text.rlike(BLANK), lit("text is empty or only whitespace"))
            .when(
                text.rlike(MARKS_ONLY),
                lit("text has only combining marks, no letters, digits or symbols"));
    if (inputColumns.contains(CorpusReader.READ_PROBLEM)) {
      Column problem = col(CorpusReader.READ_PROBLEM);
      firstReason = when(problem.isNotNull(), problem).otherwise(firstReason);
    } else if (inputColumns.contains(CorpusReader.CORRUPT_RECORD)) {
      Column corrupt = col(quote(CorpusReader.CORRUPT_RECORD));
      firstReason =
          when(corrupt.isNotNull(), concat(lit("malformed record: "), substring(corrupt, 1, 200)))
              .otherwise(firstReason);
    }

    WindowSpec byKey = Window.partitionBy(col(PID), col(IDX));
    Dataset<Row> checked =
        corpus
            .withColumn(PID, paperId)
            .withColumn(IDX, index[0])
            .repartition(partitions, col(PID), col(IDX))
            .withColumn(SHA, sha2(text, 256))
            .withColumn(FIRST_REASON, firstReason)
            .withColumn(
                REJECT,
                coalesce(
                    col(FIRST_REASON),
                    when(
                        size(collect_set(when(col(FIRST_REASON).isNull(), col(SHA))).over(byKey))
                            .gt(1),
                        lit("duplicate key (paper_id, paragraph_index) with different text"))))
            .withColumn(
                COPY, row_number().over(byKey.orderBy(col(REJECT).asc_nulls_first(), col(SHA))))
            .persist(StorageLevel.MEMORY_AND_DISK());

    Row totals;
    try {
      totals =
          checked
              .agg(
                  count(lit(1)),
                  sum(when(col(REJECT).isNull().and(col(COPY).equalTo(1)), 1).otherwise(0)),
                  sum(when(col(REJECT).isNotNull(), 1).otherwise(0)),
                  sum(when(col(REJECT).isNull().and(col(COPY).gt(1)), 1).otherwise(0)),
                  sum(
                      when(col(REJECT).isNull().and(col(COPY).equalTo(1)), length(text))
                          .otherwise(0)))
              .first();
    } catch (Exception e) {
      checked.unpersist();
      throw new UserError(
          "Cannot read --input " + source.input() + ": " + Messages.rootMessage(e), e);
    }
    ValidatedCorpus.Counts counts =
        new ValidatedCorpus.Counts(
            totals.getLong(0),
            totals.isNullAt(1) ? 0 : totals.getLong(1),
            totals.isNullAt(2) ? 0 : totals.getLong(2),
            totals.isNullAt(3) ? 0 : totals.getLong(3),
            totals.isNullAt(4) ? 0 : totals.getLong(4));

    Dataset<Row> valid =
        checked
            .where(col(REJECT).isNull().and(col(COPY).equalTo(1)))
            .select(
                col(PID).as(EmbeddingTable.PAPER_ID),
                col(IDX).as(EmbeddingTable.PARAGRAPH_INDEX),
                text.as(EmbeddingTable.TEXT),
                col(SHA).as(EmbeddingTable.TEXT_SHA256));
    String reasonColumn = inputColumns.contains(REASON) ? "rejection_" + REASON : REASON;
    Column[] rejectedColumns = new Column[kept.size() + 1];
    for (int i = 0; i < kept.size(); i++) {
      rejectedColumns[i] = col(quote(kept.get(i)));
    }
    rejectedColumns[kept.size()] = col(REJECT).as(reasonColumn);
    Dataset<Row> rejected = checked.where(col(REJECT).isNotNull()).select(rejectedColumns);
    Dataset<Row> rejectedKeys =
        checked
            .where(col(REJECT).isNotNull().and(col(PID).isNotNull()).and(col(IDX).isNotNull()))
            .select(
                col(PID).as(EmbeddingTable.PAPER_ID), col(IDX).as(EmbeddingTable.PARAGRAPH_INDEX))
            .join(
                valid.select(EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX),
                new String[] {EmbeddingTable.PAPER_ID, EmbeddingTable.PARAGRAPH_INDEX},
                "left_anti");
    return new ValidatedCorpus(valid, rejected, rejectedKeys, counts, checked::unpersist);
  }

  private static Column paperId(Dataset<Row> corpus, String name) {
    DataType type = checkType(corpus, name, "--id-column", "a string or an integer", null);
    Column column = corpus.col(quote(name));
    return type.equals(DataTypes.StringType) ? column : column.cast(DataTypes.StringType);
  }

  /** The index as int, and a column that says why it is not a valid int (null when it is). */
  private static Column[] paragraphIndex(Dataset<Row> corpus, String name) {
    DataType type = checkType(corpus, name, "--index-column", "an integer", null);
    Column raw = corpus.col(quote(name));
    // try_cast through SQL: Column.try_cast is Spark 4 only, the SQL form works on 3.5 and 4.x
    Column asInt = expr("try_cast(" + quote(name) + " AS INT)");
    Column outOfRange = lit("paragraph_index does not fit in a 32-bit integer");
    Column notInteger = lit("paragraph_index is not an integer");
    Column problem;
    if (type.equals(DataTypes.IntegerType)
        || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.ByteType)) {
      problem = lit(null).cast(DataTypes.StringType);
    } else if (type.equals(DataTypes.LongType)) {
      problem = when(raw.isNotNull().and(asInt.isNull()), outOfRange);
    } else if (type.equals(DataTypes.StringType)) {
      Column trimmed = org.apache.spark.sql.functions.trim(raw);
      asInt = expr("try_cast(trim(" + quote(name) + ") AS INT)");
      problem =
          when(raw.isNull(), lit(null).cast(DataTypes.StringType))
              .when(org.apache.spark.sql.functions.not(trimmed.rlike("^[+-]?[0-9]+$")), notInteger)
              .when(asInt.isNull(), outOfRange);
    } else {
      Column asDouble = raw.cast(DataTypes.DoubleType);
      problem =
          when(raw.isNull(), lit(null).cast(DataTypes.StringType))
              .when(asDouble.isNaN().or(asDouble.notEqual(floor(asDouble))), notInteger)
              .when(asInt.isNull(), outOfRange);
    }
    return new Column[] {asInt, problem};
  }

  private static DataType checkType(
      Dataset<Row> corpus, String name, String option, String expected, DataType only) {
    DataType type = corpus.schema().apply(name).dataType();
    boolean ok =
        only != null
            ? type.equals(only)
            : type.equals(DataTypes.StringType)
                || (type instanceof NumericType
                    && (expected.equals("an integer") || !(type instanceof DecimalType)));
    if (!ok) {
      throw new UserError(
          String.format(
              "Column '%s' (%s) has type %s; it must hold %s",
              name, option, type.simpleString(), expected));
    }
    return type;
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
