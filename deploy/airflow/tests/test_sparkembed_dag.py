"""Loads sparkembed_dag.py with a stand-in of Airflow's modules and checks that every task runs a
command line sparkembed accepts, checked by sparkembed's own parser (dev.sparkembed.jobs.ArgsCheck,
from the jar the build made; run mvn package first)."""

import importlib
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "stubs"))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parents[1] / "tests"))

from argscheck import BUNDLE, check  # noqa: E402


@pytest.fixture(scope="module")
def dag_module():
    import airflow

    airflow.RECORDED.clear()
    sys.modules.pop("sparkembed_dag", None)
    return importlib.import_module("sparkembed_dag")


@pytest.fixture(scope="module")
def tasks(dag_module):
    import airflow

    return {(t.dag.dag_id, t.task_id): t for t in airflow.RECORDED}


def test_the_dag_file_builds_both_dags_and_their_tasks(tasks):
    assert set(tasks) == {
        ("sparkembed_refresh", "embed_update"),
        ("sparkembed_refresh", "embed_resume"),
        ("sparkembed_databricks_refresh", "sparkembed_cpu"),
        ("sparkembed_databricks_refresh", "sparkembed_gpu"),
    }


def test_every_spark_submit_task_runs_a_valid_sparkembed_command_line(tasks):
    submits = [t for t in tasks.values() if type(t).__name__ == "SparkSubmitOperator"]
    assert submits
    answers = check([{"id": t.task_id, "args": t.kwargs["application_args"]} for t in submits])
    for t in submits:
        assert answers[t.task_id]["ok"], answers[t.task_id]
        assert t.kwargs["java_class"] == "dev.sparkembed.jobs.SparkEmbed"
        assert t.kwargs["application"].endswith((".jar",))
        assert t.kwargs["conn_id"]
        conf = t.kwargs["conf"]
        assert "-Dai.djl.offline=true" in conf["spark.executor.extraJavaOptions"]
        assert conf["spark.executorEnv.DJL_CACHE_DIR"]
        assert conf["spark.executor.memoryOverhead"]


def test_the_scheduled_run_updates_and_a_failure_is_resumed(tasks):
    update = tasks[("sparkembed_refresh", "embed_update")]
    resume = tasks[("sparkembed_refresh", "embed_resume")]
    args = update.kwargs["application_args"]
    assert args[args.index("--mode") + 1] == "update"
    args = resume.kwargs["application_args"]
    assert args[args.index("--mode") + 1] == "resume"
    assert resume.kwargs["trigger_rule"] == "one_failed"
    assert resume.kwargs["retries"] >= 1
    assert update.downstream == [resume]
    assert update.dag.kwargs["schedule"]
    assert update.dag.kwargs["catchup"] is False


def test_every_databricks_task_runs_a_bundle_job_with_valid_command_lines(tasks):
    runs = [t for t in tasks.values() if type(t).__name__ == "DatabricksRunNowOperator"]
    assert runs
    jobs_by_name = {"sparkembed-cpu": "sparkembed_cpu", "sparkembed-gpu": "sparkembed_gpu"}
    requests = [
        {
            "id": t.task_id,
            "bundle": str(BUNDLE),
            "job": jobs_by_name[t.kwargs["job_name"]],
            "job_parameters": t.kwargs.get("job_parameters", {}),
        }
        for t in runs
    ]
    answers = check(requests)
    for t in runs:
        answer = answers[t.task_id]
        assert answer["ok"], answer
        modes = [c[c.index("--mode") + 1] for c in answer["commands"]]
        assert modes == ["update", "resume"], answer["commands"]


def test_the_check_refuses_what_sparkembed_would_refuse():
    answers = check(
        [
            {"id": "bad-mode", "args": ["embed", "--input", "i", "--output", "o", "--mode", "often"]},
            {"id": "no-output", "args": ["embed", "--input", "i"]},
            {"id": "unknown-option", "args": ["embed", "--input", "i", "--output", "o", "--fast"]},
            {"id": "no-command", "args": ["--input", "i"]},
            {"id": "unknown-parameter", "bundle": str(BUNDLE), "job": "sparkembed_cpu",
             "job_parameters": {"speed": "fast"}},
            {"id": "good", "args": ["embed", "--input", "i", "--output", "o", "--mode", "resume"]},
        ]
    )
    assert answers["good"]["ok"], answers["good"]
    for bad in ("bad-mode", "no-output", "unknown-option", "no-command", "unknown-parameter"):
        assert not answers[bad]["ok"], answers[bad]
    assert "often" in answers["bad-mode"]["errors"][0]
