package dev.sparkembed.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Vectors read back from Spark rows, and compared component by component. */
public final class Vectors {
  private Vectors() {}

  /** {@code column}'s vectors by {@code paper_id/paragraph_index}. */
  public static Map<String, float[]> byKey(Dataset<Row> rows, String column) {
    Map<String, float[]> out = new HashMap<>();
    for (Row row : rows.collectAsList()) {
      int index = row.fieldIndex(column);
      out.put(
          row.getAs("paper_id") + "/" + row.getAs("paragraph_index"),
          row.isNullAt(index) ? null : floats(row.getList(index)));
    }
    return out;
  }

  public static float[] floats(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }

  public static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertNotNull(actual, what + ": no vector");
    assertEquals(expected.length, actual.length, what + ": dimension");
    for (int c = 0; c < expected.length; c++) {
      assertEquals(expected[c], actual[c], tolerance, what + ", component " + c);
    }
  }

  public static void assertSame(
      Map<String, float[]> expected, Map<String, float[]> actual, double tolerance) {
    assertEquals(expected.keySet(), actual.keySet());
    for (Map.Entry<String, float[]> e : expected.entrySet()) {
      assertClose(e.getValue(), actual.get(e.getKey()), tolerance, e.getKey());
    }
  }
}
