package dev.sparkembed.udfs.model;

import dev.sparkembed.udfs.engine.Pooling;

/**
 * One model as a registry file states it. Settings left out come from the model's folder when it
 * names one ({@code folder:}), or from defaults; {@link #resolve} decides them all.
 */
record RegistryEntry(
    String displayName,
    String source,
    String engine,
    String dtype,
    String folder,
    ModelFiles files,
    Pooling pooling,
    Boolean normalize,
    Integer maxLength,
    String passagePrefix,
    String queryPrefix,
    Integer dimension,
    String padding) {

  ModelSpec resolve(String name) {
    ModelSpec base = folder == null ? null : ModelFolder.read(name, folder, files);
    return new ModelSpec(
            name,
            first(displayName, base == null ? null : base.displayName()),
            first(source, base == null ? null : base.source()),
            first(engine, base == null ? null : base.engine()),
            first(dtype, base == null ? null : base.dtype()),
            base == null ? files : base.files(),
            first(pooling, base == null ? null : base.pooling()),
            first(normalize, base == null ? Boolean.TRUE : base.normalize()),
            first(maxLength, base == null ? 0 : base.maxLength()),
            first(passagePrefix, base == null ? null : base.passagePrefix()),
            first(queryPrefix, base == null ? null : base.queryPrefix()),
            first(dimension, base == null ? 0 : base.dimension()),
            first(padding, base == null ? null : base.padding()))
        .validated();
  }

  private static <T> T first(T stated, T fallback) {
    return stated != null ? stated : fallback;
  }
}
