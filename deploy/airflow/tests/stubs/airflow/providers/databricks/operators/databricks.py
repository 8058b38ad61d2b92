"""Stand-in for airflow.providers.databricks.operators.databricks."""

from airflow import BaseOperator


class DatabricksRunNowOperator(BaseOperator):
    pass


class DatabricksSubmitRunOperator(BaseOperator):
    pass
