"""Stand-in for airflow.providers.apache.spark.operators.spark_submit."""

from airflow import BaseOperator


class SparkSubmitOperator(BaseOperator):
    pass
