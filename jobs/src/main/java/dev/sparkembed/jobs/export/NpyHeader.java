package dev.sparkembed.jobs.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The header of a NumPy {@code .npy} file (format version 1.0) for a little-endian float32 matrix
 * in row-major order: the magic string, the version, the header's length and a Python dict literal,
 * padded with spaces to a multiple of 64 bytes and ended by a newline.
 */
final class NpyHeader {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  private static final int ALIGN = 64;

  private NpyHeader() {}

  static byte[] float32Matrix(long rows, int columns) {
    String dict =
        String.format(
            Locale.ROOT,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
            rows,
            columns);
    int unpadded = MAGIC.length + 2 + dict.length() + 1;
    int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
    String text = dict + " ".repeat(padding) + "\n";
    byte[] textBytes = text.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer header =
        ByteBuffer.allocate(MAGIC.length + 2 + textBytes.length).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putShort((short) textBytes.length).put(textBytes);
    return header.array();
  }
}
