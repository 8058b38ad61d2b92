"""The YARN and Kubernetes spark-submit scripts, run with DRY_RUN=1 (no cluster here): the command
each would run carries the settings its platform needs, and what follows the jar is a command line
sparkembed's own parser accepts."""

import os
import shlex
import subprocess

import pytest

from argscheck import ROOT, check

SPARKEMBED = ["--input", "hdfs:///corpus/", "--output", "hdfs:///embeddings/", "--mode", "update"]


def dry_run(script, **env):
    done = subprocess.run(
        ["bash", str(ROOT / script), *SPARKEMBED],
        env={**os.environ, "DRY_RUN": "1", **env}, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return shlex.split(done.stdout)


def confs(argv):
    return dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "--conf")


def app_args(argv, jar_suffix):
    i = next(i for i, a in enumerate(argv) if a.endswith(jar_suffix))
    return argv[i + 1:]


def test_yarn_ships_model_folders_as_an_archive_and_leaves_room_for_native_memory():
    argv = dry_run("deploy/yarn/spark-submit-yarn.sh", MODELS_TGZ="models.tgz", GPUS_PER_EXECUTOR="1")
    assert argv[argv.index("--master") + 1] == "yarn"
    assert argv[argv.index("--archives") + 1] == "models.tgz#models"
    conf = confs(argv)
    assert conf["spark.executor.memoryOverhead"]
    assert conf["spark.executor.extraJavaOptions"] == "-Dai.djl.offline=true"
    assert conf["spark.executorEnv.DJL_CACHE_DIR"]
    assert conf["spark.executor.resource.gpu.amount"] == "1"
    assert conf["spark.executor.resource.gpu.discoveryScript"]
    answer = check([{"id": "yarn", "args": app_args(argv, "_2.13.jar")}])["yarn"]
    assert answer["ok"], answer


@pytest.mark.parametrize("line, jar", [("4", "sparkembed-spark4_2.13.jar"), ("3.5", "sparkembed-spark3.5_2.12.jar")])
def test_yarn_picks_the_jar_of_the_spark_line(line, jar):
    argv = dry_run("deploy/yarn/spark-submit-yarn.sh", SPARKEMBED_SPARK=line)
    assert any(a.endswith("/" + jar) for a in argv), argv


def test_kubernetes_uploads_local_files_and_asks_for_nvidia_gpus():
    argv = dry_run(
        "deploy/kubernetes/spark-submit-k8s.sh",
        K8S_MASTER="k8s://https://127.0.0.1:6443", IMAGE="sparkembed:test",
        UPLOAD_PATH="s3a://bucket/spark-upload", MODELS_TGZ="models.tgz", GPUS_PER_EXECUTOR="1",
    )
    conf = confs(argv)
    assert conf["spark.kubernetes.file.upload.path"] == "s3a://bucket/spark-upload"
    assert conf["spark.kubernetes.container.image"] == "sparkembed:test"
    assert conf["spark.executor.resource.gpu.vendor"] == "nvidia.com"
    assert conf["spark.executor.memoryOverhead"]
    assert conf["spark.executorEnv.DJL_CACHE_DIR"]
    assert "-Dai.djl.offline=true" in conf["spark.executor.extraJavaOptions"]
    assert argv[argv.index("--archives") + 1] == "models.tgz#models"
    answer = check([{"id": "k8s", "args": app_args(argv, "sparkembed.jar")}])["k8s"]
    assert answer["ok"], answer


def test_kubernetes_refuses_an_archive_without_an_upload_path():
    done = subprocess.run(
        ["bash", str(ROOT / "deploy/kubernetes/spark-submit-k8s.sh"), *SPARKEMBED],
        env={**os.environ, "DRY_RUN": "1", "K8S_MASTER": "k8s://x", "IMAGE": "i", "MODELS_TGZ": "m.tgz"},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "UPLOAD_PATH" in done.stderr
