package dev.sparkembed.udfs.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The names closed sets of settings have in the registry: each constant's name in lowercase. */
final class ConfigNames {

  private ConfigNames() {}

  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  static <E extends Enum<E>> Optional<E> find(Class<E> type, String name) {
    if (name == null) {
      return Optional.empty();
    }
    return Arrays.stream(type.getEnumConstants())
        .filter(constant -> of(constant).equalsIgnoreCase(name.trim()))
        .findFirst();
  }

  /** The constant named {@code name}, or an error listing the names of {@code what}. */
  static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
    return find(type, name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown " + what + " '" + name + "'; expected one of " + list(type)));
  }

  static <E extends Enum<E>> String list(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(ConfigNames::of)
        .collect(Collectors.joining(", "));
  }
}
