package dev.sparkembed.jobs.embed;

/**
 * Where a run writes catalog tables instead of a folder ({@code --output-table}).
 *
 * @param pattern the tables' name, with {@code {model}} where each model's name goes (appended as
 *     {@code _<model>} when absent); {@code {model}} becomes {@code rejected} for the rejected rows
 *     and {@code manifests} for the models' manifests
 * @param format the table format to create (delta, iceberg); null: the existing table's, or the
 *     catalog's
 * @param workDir the folder for staged rows, resume slices and the writer's lease; null: under the
 *     session's warehouse folder
 * @param vectorSearch add the {@value CatalogTableSink#KEY_COLUMN} column and turn on Delta's
 *     change data feed
 */
public record TableOutput(String pattern, String format, String workDir, boolean vectorSearch) {

  public TableOutput {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("Cannot set --output-table to an empty name");
    }
    if (workDir != null && workDir.isBlank()) {
      throw new IllegalArgumentException("Cannot set --work-dir to an empty path");
    }
  }
}
