package dev.sparkembed.jobs.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sentence pairs with a gold similarity, in the STS benchmark's tab-separated layout: genre, file,
 * year, id, score (0 to 5), sentence 1, sentence 2, sometimes followed by extra columns.
 */
public record StsPairs(List<String> first, List<String> second, double[] gold) {

  public static StsPairs read(Path file) {
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    List<Double> gold = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    for (int n = 0; n < lines.size(); n++) {
      String[] fields = lines.get(n).split("\t", -1);
      if (fields.length < 7) {
        throw new IllegalArgumentException(
            String.format(
                "%s line %d has %d tab-separated fields; an STS pair needs 7 (genre, file, year,"
                    + " id, score, sentence 1, sentence 2)",
                file, n + 1, fields.length));
      }
      try {
        gold.add(Double.parseDouble(fields[4]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            String.format("%s line %d: score '%s' is not a number", file, n + 1, fields[4]), e);
      }
      first.add(fields[5]);
      second.add(fields[6]);
    }
    return new StsPairs(first, second, gold.stream().mapToDouble(Double::doubleValue).toArray());
  }

  public int size() {
    return gold.length;
  }
}
