# Databricks notebook source
# MAGIC %md
# MAGIC # Explore a sparkembed table
# MAGIC
# MAGIC Reads the table `sparkembed embed` wrote for one model, checks it against its manifest, and
# MAGIC finds the paragraphs closest to a given one by cosine similarity (the vectors are unit length,
# MAGIC so the dot product is the cosine). Set `output` to the `--output` folder of your run.
# MAGIC Runs on Databricks or any PySpark session (`spark` must exist).

# COMMAND ----------

import json

output = "embeddings"           # the --output folder of the run
model = "all-minilm-l6-v2"      # a model name from conf/models.yaml

table = spark.read.parquet(f"{output}/{model}")
manifest = json.loads(
    "\n".join(r.value for r in spark.read.text(f"{output}/{model}/_manifest.json").collect())
)
print(manifest["display_name"], manifest["fingerprint"][:12], manifest["rows"], "rows")
assert table.count() == manifest["rows"], "the table and its manifest disagree"

# COMMAND ----------

# MAGIC %md Rows that could not be embedded, and why.

# COMMAND ----------

spark.read.parquet(f"{output}/_rejected").groupBy("reason").count().orderBy("count", ascending=False).show(truncate=False)

# COMMAND ----------

# MAGIC %md The ten paragraphs closest to one paragraph.

# COMMAND ----------

from pyspark.sql import functions as F

query = table.orderBy("paper_id", "paragraph_index").first()
q = F.array(*[F.lit(float(x)) for x in query.embedding])
(
    table.withColumn(
        "cosine",
        F.aggregate(F.zip_with("embedding", q, lambda a, b: a * b), F.lit(0.0), lambda acc, x: acc + x),
    )
    .orderBy(F.desc("cosine"))
    .select("paper_id", "paragraph_index", "cosine", "token_count", "truncated")
    .show(10)
)
