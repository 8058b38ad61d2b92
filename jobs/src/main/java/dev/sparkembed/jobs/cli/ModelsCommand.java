package dev.sparkembed.jobs.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sparkembed.jobs.Messages;
import dev.sparkembed.jobs.UserError;
import dev.sparkembed.udfs.embed.BatchSettings;
import dev.sparkembed.udfs.embed.WindowedEmbedder;
import dev.sparkembed.udfs.engine.EncoderModel;
import dev.sparkembed.udfs.engine.EnginePlan;
import dev.sparkembed.udfs.model.FileRef;
import dev.sparkembed.udfs.model.ModelRegistry;
import dev.sparkembed.udfs.model.ModelSpec;
import dev.sparkembed.udfs.model.ModelStore;
import dev.sparkembed.udfs.model.Quantization;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sparkembed models}: what the registry holds, and whether each model works here. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "List, describe and verify the models of the registry.",
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Describe.class,
      ModelsCommand.Verify.class
    })
public final class ModelsCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "One line per model with its conventions and whether it is installed; for a model that"
              + " is not, the command that exports it into its folder under the models root.")
  static final class ListModels implements Callable<Integer> {
    @Mixin RegistryOptions registry;
    @Spec CommandSpec command;

    @Override
    public Integer call() {
      ModelRegistry models = registry.load();
      PrintWriter out = command.commandLine().getOut();
      String format = "%-27s %-9s %5s %-10s %-6s %-13s %-13s %7s %9s  %s%n";
      out.printf(
          Locale.ROOT,
          format,
          "name",
          "installed",
          "dim",
          "pooling",
          "pad",
          "end token",
          "attention",
          "max_len",
          "size",
          "passage prefix | query instruction");
      for (String name : models.names()) {
        ModelListing listing = ModelListing.of(models, name);
        out.printf(
            Locale.ROOT,
            format,
            name + (name.equals(models.defaultModel()) ? "*" : ""),
            listing.installed(),
            listing.dimension(),
            listing.pooling(),
            listing.padding(),
            listing.eosToken(),
            listing.attention(),
            listing.maxLength(),
            listing.size(),
            listing.prefixes());
        if (!listing.installHint().isEmpty()) {
          out.printf("%-27s install: %s%n", "", listing.installHint());
        }
        String tiers = CpuTiersListing.of(models, name);
        if (!tiers.isEmpty()) {
          out.printf("%-27s tiers: %s%n", "", tiers);
        }
      }
      out.printf(
          "* the default model; folders are under the models root %s ($%s)%n",
          models.modelsRoot(), ModelRegistry.MODELS_ROOT_ENV);
      return 0;
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Every resolved setting of a model, and its fingerprint.")
  static final class Describe implements Callable<Integer> {
    @Mixin RegistryOptions registry;
    @Spec CommandSpec command;

    @Parameters(paramLabel = "NAME", description = "The model.")
    String name;

    @Override
    public Integer call() throws IOException {
      ModelRegistry models = registry.load();
      ModelSpec spec = spec(models, name);
      Map<String, Object> described = new LinkedHashMap<>();
      described.put("model", spec);
      described.put("fingerprint", spec.fingerprint());
      if (spec.runtime().quantization() == Quantization.DYNAMIC_INT8) {
        described.put(
            "batching",
            "one text per engine call: dynamic int8 takes one activation scale per batch, so"
                + " batch-mates would move a text's vector");
      }
      Map<String, String> tiers = CpuTiersListing.described(models, name);
      if (!tiers.isEmpty()) {
        described.put("tiers", tiers);
      }
      PrintWriter out = command.commandLine().getOut();
      out.print(
          JsonMapper.builder(new YAMLFactory())
              .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
              .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
              .build()
              .writeValueAsString(described));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Check that a model's files are present with the right SHA-256, and that it loads and"
              + " embeds a sentence. Without NAME, every model.")
  static final class Verify implements Callable<Integer> {
    @Mixin RegistryOptions registry;
    @Spec CommandSpec command;

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "The model.")
    String name;

    @Override
    public Integer call() {
      ModelRegistry models = registry.load();
      PrintWriter out = command.commandLine().getOut();
      List<String> names =
          name != null ? List.of(name) : models.names().stream().filter(models::installed).toList();
      int failed = 0;
      for (String model : names) {
        ModelSpec spec = spec(models, model);
        try {
          for (FileRef file : List.of(spec.weights(), spec.runtime().files().tokenizer())) {
            ModelStore.localCopy(file);
          }
          float[] vector;
          try (EncoderModel loaded = EncoderModel.load(spec, EnginePlan.cpu(1, 1))) {
            vector =
                WindowedEmbedder.embedAll(
                    loaded,
                    BatchSettings.DEFAULT,
                    List.of("sparkembed checks that this model works."))[0];
          }
          double norm = Math.sqrt(dot(vector));
          if (vector.length != spec.head().dimension()
              || (spec.head().normalize() && Math.abs(norm - 1) > 1e-3)) {
            throw new IllegalStateException(
                "embedded a sentence to "
                    + vector.length
                    + " components of norm "
                    + norm
                    + ", expected "
                    + spec.head().dimension());
          }
          out.printf(
              "%s: OK (files verified, %d-dim vector%s)%n",
              model,
              vector.length,
              spec.text().appendsEos() ? ", every text ends with " + spec.text().eosToken() : "");
        } catch (RuntimeException e) {
          failed++;
          out.printf("%s: FAILED: %s%n", model, Messages.rootMessage(e));
        }
      }
      return failed == 0 ? 0 : 1;
    }

    private static double dot(float[] v) {
      double sum = 0;
      for (float x : v) {
        sum += (double) x * x;
      }
      return sum;
    }
  }

  private static ModelSpec spec(ModelRegistry registry, String name) {
    try {
      return registry.get(name);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  /** The bytes of a model's files, without copying them. */
  static String size(ModelSpec spec) {
    long bytes = 0;
    for (FileRef file : List.of(spec.weights(), spec.runtime().files().tokenizer())) {
      try {
        if (file.onClasspath()) {
          URL url =
              Thread.currentThread().getContextClassLoader().getResource(file.classpathName());
          if (url == null) {
            return "missing";
          }
          bytes += url.openConnection().getContentLengthLong();
        } else {
          bytes += Files.size(Paths.get(file.location()));
        }
      } catch (IOException | RuntimeException e) {
        return "?";
      }
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
