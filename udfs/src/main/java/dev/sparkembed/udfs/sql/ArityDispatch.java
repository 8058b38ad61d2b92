package dev.sparkembed.udfs.sql;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;

/**
 * A SQL function with one name and two arities ({@code embed(text)}, {@code embed(text, model)}):
 * Spark registers one arity per Java UDF name, so each arity is registered under a name of its own
 * and this builder hands a call to the one its argument count picks.
 */
final class ArityDispatch extends AbstractFunction1<Seq<Expression>, Expression> {

  private final FunctionRegistry registry;
  private final String name;
  private final String oneArgument;
  private final String twoArguments;

  ArityDispatch(FunctionRegistry registry, String name, String oneArgument, String twoArguments) {
    this.registry = registry;
    this.name = name;
    this.oneArgument = oneArgument;
    this.twoArguments = twoArguments;
  }

  /** Registers {@code name} in {@code registry}, calling the functions of one and two arguments. */
  static void register(
      FunctionRegistry registry, String name, String oneArgument, String twoArguments) {
    registry.createOrReplaceTempFunction(
        name, cast(new ArityDispatch(registry, name, oneArgument, twoArguments)), "java_udf");
  }

  @Override
  public Expression apply(Seq<Expression> children) {
    int count = children.length();
    if (count != 1 && count != 2) {
      throw new IllegalArgumentException(
          String.format("%s takes (text) or (text, model), not %d arguments", name, count));
    }
    try {
      return registry.lookupFunction(
          FunctionIdentifier.apply(count == 1 ? oneArgument : twoArguments), cast(children));
    } catch (AnalysisException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Spark 4 (Scala 2.13) builds functions of {@code immutable.Seq}, Spark 3.5 (Scala 2.12) of
   * {@code collection.Seq}: the one source compiles against either.
   */
  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }
}
