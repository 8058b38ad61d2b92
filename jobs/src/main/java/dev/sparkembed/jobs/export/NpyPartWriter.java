package dev.sparkembed.jobs.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.udfs.model.ClusterStorage;
import dev.sparkembed.udfs.spark.EmbeddingTable;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;

/**
 * Writes one partition of a key-sorted table as two part files: its vectors as little-endian
 * float32 rows ({@code part-NNNNN.f32}) and its keys as JSON Lines ({@code part-NNNNN.keys.jsonl}).
 * Returns {@code [partition, rows]}.
 */
final class NpyPartWriter implements Function2<Integer, Iterator<Row>, Iterator<long[]>> {
  private static final long serialVersionUID = 1L;

  static final String VECTORS = ".f32";
  static final String KEYS = ".keys.jsonl";

  private final ClusterStorage.Shipped conf;
  private final String folder;
  private final int dimension;

  NpyPartWriter(ClusterStorage.Shipped conf, String folder, int dimension) {
    this.conf = conf;
    this.folder = folder;
    this.dimension = dimension;
  }

  @Override
  public Iterator<long[]> call(Integer partition, Iterator<Row> rows) throws IOException {
    Path parts = new Path(folder);
    FileSystem fs = parts.getFileSystem(conf.get());
    String name = String.format(Locale.ROOT, "part-%05d", partition);
    ObjectMapper json = new ObjectMapper();
    ByteBuffer vector = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long count = 0;
    try (OutputStream vectors =
            new BufferedOutputStream(fs.create(new Path(parts, name + VECTORS), true), 1 << 16);
        OutputStream keys =
            new BufferedOutputStream(fs.create(new Path(parts, name + KEYS), true), 1 << 16)) {
      while (rows.hasNext()) {
        Row row = rows.next();
        String paperId = row.getString(0);
        int index = row.getInt(1);
        List<Float> values = row.getList(2);
        if (values.size() != dimension) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "row (%s, %d) has %d values, but the table's manifest says dimension %d",
                  paperId,
                  index,
                  values.size(),
                  dimension));
        }
        vector.clear();
        for (Float value : values) {
          vector.putFloat(value);
        }
        vectors.write(vector.array());
        Map<String, Object> key = new LinkedHashMap<>();
        key.put(EmbeddingTable.PAPER_ID, paperId);
        key.put(EmbeddingTable.PARAGRAPH_INDEX, index);
        keys.write(json.writeValueAsBytes(key));
        keys.write('\n');
        count++;
      }
    }
    return List.of(new long[] {partition, count}).iterator();
  }
}
