"""build_cpu_tiers.sh's command line (python3 -m pytest -q deploy/models/tests)."""
import os
import subprocess

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "build_cpu_tiers.sh")


def run(*args, **env):
    return subprocess.run(["bash", SCRIPT, *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_an_unknown_option_is_refused():
    result = run("--fast")
    assert result.returncode == 2
    assert "unknown option --fast" in result.stderr


def test_a_model_no_jar_holds_is_named(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    result = run("--models-root", str(tmp_path), "no-such-model", HOME=str(tmp_path))
    assert result.returncode == 1
    assert "no jar holds no-such-model.onnx" in result.stderr
    assert not (tmp_path / "cpu-tiers").exists()
