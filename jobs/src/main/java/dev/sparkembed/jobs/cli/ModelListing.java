package dev.sparkembed.jobs.cli;

import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.RegistryEntry;
import java.util.Objects;

/**
 * One line of {@code models list}: a model's conventions, from its resolved spec when its files are
 * at hand, else as its registry entry states them ("folder" where the folder's files decide). A
 * folder model is not resolved here: that would hash its weights, gigabytes for a large model.
 */
record ModelListing(
    String installed,
    String dimension,
    String pooling,
    String padding,
    String eosToken,
    String attention,
    String maxLength,
    String size,
    String prefixes,
    String installHint) {

  private static final String FROM_FOLDER = "folder";

  static ModelListing of(ModelRegistry models, String name) {
    RegistryEntry entry = models.entry(name);
    if (entry.folder() == null) {
      ModelSpec spec = models.get(name);
      return new ModelListing(
          "yes",
          Integer.toString(spec.head().dimension()),
          spec.head().pooling().configName(),
          spec.text().padding().configName(),
          spec.text().appendsEos() ? spec.text().eosToken() : "-",
          entry.attention() == null ? "-" : entry.attention().configName(),
          Integer.toString(spec.text().maxLength()),
          ModelsCommand.size(spec),
          prefixes(spec.text().passagePrefix(), spec.text().query().template()),
          "");
    }
    boolean installed = models.installed(name);
    return new ModelListing(
        installed ? "yes" : "no",
        text(entry.dimension()),
        entry.pooling() == null ? FROM_FOLDER : entry.pooling().configName(),
        text(entry.padding()),
        Boolean.FALSE.equals(entry.appendEos())
            ? "-"
            : Objects.requireNonNullElse(
                entry.eosToken(), entry.appendEos() == null ? "-" : FROM_FOLDER),
        text(entry.attention()),
        text(entry.maxLength()),
        "-",
        prefixes(entry.passagePrefix(), entry.queryPrefix()),
        installed ? "" : models.installCommand(name));
  }

  private static String text(Object value) {
    return value == null ? FROM_FOLDER : value.toString();
  }

  private static String prefixes(String passage, String query) {
    return quoted(passage) + " | " + quoted(query);
  }

  private static String quoted(String prefix) {
    return prefix == null || prefix.isEmpty() ? "-" : "'" + prefix.replace("\n", "\\n") + "'";
  }
}
