package dev.sparkembed.udfs.sql;

import dev.sparkembed.udfs.embed.TextRole;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The SQL functions, registered in a session by one call:
 *
 * <ul>
 *   <li>{@code embed(text)}, {@code embed(text, model)}: the text as a paragraph (the model's
 *       passage prefix), with the registry's default model or the one named (a registry name or a
 *       model folder);
 *   <li>{@code embed_query(text)}, {@code embed_query(text, model)}: the text as a query (the
 *       model's query prefix or instruction, with its default task);
 *   <li>{@code cosine(a, b)}: the cosine of two vectors.
 * </ul>
 *
 * Vectors are {@code array<float>}; a null (or empty) text gives null. Spark calls these one row at
 * a time: they are for queries and small sets; the {@code SentenceEmbedder} Transformer embeds
 * whole frames in batches. The registry is the built-in one unless the session's {@value
 * #REGISTRY_CONF} names another.
 */
public final class EmbedFunctions {

  /** The session setting that names a model registry (YAML, a path or URI). */
  public static final String REGISTRY_CONF = "spark.sparkembed.registry";

  static final DataType VECTOR = DataTypes.createArrayType(DataTypes.FloatType, false);

  private EmbedFunctions() {}

  /** Registers embed, embed_query and cosine in {@code spark}. */
  public static void register(SparkSession spark) {
    SqlEmbedder embedder = new SqlEmbedder(spark.conf().get(REGISTRY_CONF, ""));
    register(spark, "embed", embedder, TextRole.PASSAGE);
    register(spark, "embed_query", embedder, TextRole.query(null));
    spark.udf().register("cosine", new Cosine(), DataTypes.FloatType);
  }

  /**
   * {@code name(text)} and {@code name(text, model)}: each arity is a Java UDF of its own ({@code
   * sparkembed_<name>_1}, {@code sparkembed_<name>_2}), and {@code name} calls the one that fits.
   */
  private static void register(
      SparkSession spark, String name, SqlEmbedder embedder, TextRole role) {
    String one = "sparkembed_" + name + "_1";
    String two = "sparkembed_" + name + "_2";
    spark
        .udf()
        .register(one, (UDF1<String, float[]>) text -> embedder.embed(text, null, role), VECTOR);
    spark
        .udf()
        .register(
            two,
            (UDF2<String, String, float[]>) (text, model) -> embedder.embed(text, model, role),
            VECTOR);
    ArityDispatch.register(spark.sessionState().functionRegistry(), name, one, two);
  }
}
