package dev.sparkembed.udfs.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkembed.udfs.model.ModelFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads tensors from a {@code .safetensors} file as float32: an 8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 * F32, F16 and BF16 tensors are read.
 */
final class SafeTensors {

  private final Path file;
  private final JsonNode header;
  private final long dataStart;

  private SafeTensors(Path file, JsonNode header, long dataStart) {
    this.file = file;
    this.header = header;
    this.dataStart = dataStart;
  }

  static SafeTensors open(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, length, 0);
      long headerLength = length.flip().getLong();
      if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > channel.size()) {
        throw new ModelFileException(
            file + " is not a safetensors file (header length " + headerLength + ")");
      }
      ByteBuffer json = ByteBuffer.allocate((int) headerLength);
      readFully(channel, json, 8);
      JsonNode header =
          new ObjectMapper().readTree(new String(json.array(), StandardCharsets.UTF_8));
      return new SafeTensors(file, header, 8 + headerLength);
    }
  }

  /** The shape of a tensor, or null when the file has none of that name. */
  long[] shape(String name) {
    JsonNode tensor = header.get(name);
    if (tensor == null) {
      return null;
    }
    JsonNode dims = tensor.path("shape");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).asLong();
    }
    return shape;
  }

  /** A tensor's values, row-major, as float32. */
  float[] floats(String name) throws IOException {
    JsonNode tensor = header.get(name);
    if (tensor == null) {
      throw new ModelFileException(file + " has no tensor " + name);
    }
    String dtype = tensor.path("dtype").asText();
    long begin = tensor.path("data_offsets").get(0).asLong();
    long end = tensor.path("data_offsets").get(1).asLong();
    int bytesPer =
        switch (dtype) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default ->
              throw new ModelFileException(
                  file + ": tensor " + name + " is " + dtype + "; sparkembed reads F32, F16, BF16");
        };
    ByteBuffer data =
        ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      readFully(channel, data, dataStart + begin);
    }
    data.flip();
    float[] values = new float[data.remaining() / bytesPer];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (dtype) {
            case "F32" -> data.getFloat();
            case "F16" -> halfToFloat(data.getShort());
            default -> Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
          };
    }
    return values;
  }

  /** IEEE 754 binary16 to float32 (the JDK has this only from Java 20). */
  static float halfToFloat(short half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >>> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f;
      return sign == 0 ? value : -value;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new ModelFileException("unexpected end of safetensors file at byte " + at);
      }
      at += n;
    }
  }
}
