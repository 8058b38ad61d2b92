package dev.sparkembed.udfs.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The matrix and vector instructions of this machine's CPU that decide how fast each precision
 * runs, read from Linux's {@code /proc/cpuinfo}; "unknown" elsewhere.
 *
 * @param found the flags of {@link #REPORTED} the CPU has; null when they could not be read
 */
public record CpuFeatures(Set<String> found) {

  /** AVX2, AVX-512, AVX-512-BF16, and AMX's tiles with their bfloat16 and int8 units. */
  public static final List<String> REPORTED =
      List.of("avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8");

  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  public static CpuFeatures detect() {
    return read(CPUINFO);
  }

  static CpuFeatures read(Path cpuinfo) {
    try (var lines = Files.lines(cpuinfo)) {
      Optional<String> flags = lines.filter(l -> l.startsWith("flags")).findFirst();
      if (flags.isEmpty()) {
        return new CpuFeatures(null);
      }
      Set<String> all = Set.copyOf(Arrays.asList(flags.get().split("[:\\s]+")));
      return new CpuFeatures(
          REPORTED.stream()
              .filter(all::contains)
              .collect(Collectors.toCollection(LinkedHashSet::new)));
    } catch (IOException | SecurityException e) {
      return new CpuFeatures(null);
    }
  }

  public boolean known() {
    return found != null;
  }

  /** Whether bfloat16 matrix products run on hardware made for them: AMX or AVX-512-BF16. */
  public boolean bfloat16Units() {
    return known() && (found.contains("amx_bf16") || found.contains("avx512_bf16"));
  }

  /** The flags found, space-separated; "none of ..." or "unknown" when there are none to list. */
  public String describe() {
    if (!known()) {
      return "unknown (no " + CPUINFO + ")";
    }
    return found.isEmpty() ? "none of " + String.join(", ", REPORTED) : String.join(" ", found);
  }

  /**
   * What a run in bfloat16 on this CPU must be told before it starts: on a CPU with neither AMX nor
   * AVX-512-BF16, libtorch converts in software and the tier is slower than float32 there.
   */
  public Optional<String> bfloat16Warning() {
    if (bfloat16Units()) {
      return Optional.empty();
    }
    if (!known()) {
      return Optional.of(
          "this CPU's features are "
              + describe()
              + ": bfloat16 is slower than float32 on a CPU without AMX or AVX-512-BF16, with"
              + " the same vectors");
    }
    return Optional.of(
        "this CPU has neither AMX nor AVX-512-BF16 (found: "
            + describe()
            + "): bfloat16 will be slower here than float32, with the same vectors");
  }
}
