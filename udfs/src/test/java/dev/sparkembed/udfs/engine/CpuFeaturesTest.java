package dev.sparkembed.udfs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuFeaturesTest {

  @TempDir Path dir;

  private CpuFeatures read(String flags) throws Exception {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(
        cpuinfo,
        "processor\t: 0\nmodel name\t: a CPU\nflags\t\t: " + flags + "\n\nprocessor\t: 1\n");
    return CpuFeatures.read(cpuinfo);
  }

  @Test
  void aCpuWithAmxRunsBfloat16WithoutWarning() throws Exception {
    CpuFeatures amx = read("fpu sse avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8 pku");
    assertEquals("avx2 avx512f avx512_bf16 amx_tile amx_bf16 amx_int8", amx.describe());
    assertTrue(amx.bfloat16Warning().isEmpty());
  }

  @Test
  void aCpuWithoutBfloat16UnitsIsWarnedAbout() throws Exception {
    CpuFeatures avx2 = read("fpu sse avx2 fma");
    assertFalse(avx2.bfloat16Units());
    String warning = avx2.bfloat16Warning().orElseThrow();
    assertTrue(warning.contains("slower here than float32"), warning);
    assertTrue(warning.contains("found: avx2"), warning);
  }

  @Test
  void withoutCpuinfoTheFeaturesAreUnknown() {
    CpuFeatures unknown = CpuFeatures.read(dir.resolve("none"));
    assertFalse(unknown.known());
    assertTrue(unknown.describe().startsWith("unknown"));
    assertTrue(unknown.bfloat16Warning().isPresent());
  }

  @Test
  void thisMachineIsRead() {
    assertTrue(CpuFeatures.detect().describe().length() > 0);
  }
}
