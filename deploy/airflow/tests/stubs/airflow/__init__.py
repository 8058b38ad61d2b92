"""A minimal stand-in for the few Airflow modules sparkembed_dag.py imports (Airflow cannot be
installed here). Operators record the arguments they were built with, the DAG they belong to and
the tasks downstream of them; nothing runs."""

RECORDED = []  # every operator built, in order
_CURRENT_DAG = []


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = []

    def __enter__(self):
        _CURRENT_DAG.append(self)
        return self

    def __exit__(self, *exc):
        _CURRENT_DAG.pop()
        return False


class BaseOperator:
    def __init__(self, task_id, **kwargs):
        if not _CURRENT_DAG:
            raise RuntimeError(f"task {task_id} is built outside a DAG")
        self.task_id = task_id
        self.kwargs = kwargs
        self.dag = _CURRENT_DAG[-1]
        self.downstream = []
        self.dag.tasks.append(self)
        RECORDED.append(self)

    def __rshift__(self, other):
        self.downstream.append(other)
        return other
