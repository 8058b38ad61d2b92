"""Runs sparkembed's own command line parser (dev.sparkembed.jobs.ArgsCheck) from the jar the
build made (mvn package) on a list of requests; see ArgsCheck's javadoc for their form."""

import json
import os
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = ROOT / "jobs" / "target"
JAR = TARGET / "sparkembed-spark4_2.13.jar"
BUNDLE = ROOT / "deploy" / "databricks" / "databricks.yml"


def check(requests):
    """ArgsCheck's answers, by request id."""
    if not JAR.is_file():
        raise AssertionError(f"{JAR} is missing: run mvn package first")
    classpath = f"{JAR}{os.pathsep}{(TARGET / 'local-classpath.txt').read_text().strip()}"
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    done = subprocess.run(
        [java, "-cp", classpath, "dev.sparkembed.jobs.ArgsCheck"],
        input="\n".join(json.dumps(r) for r in requests) + "\n",
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {a["id"]: a for a in answers}
