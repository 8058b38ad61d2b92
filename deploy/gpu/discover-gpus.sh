#!/usr/bin/env bash
# Spark resource discovery script: prints this machine's GPUs as Spark expects them,
#   {"name": "gpu", "addresses": ["0", "1"]}
# with CUDA device indexes as addresses (sparkembed loads its model on the CUDA device whose index
# Spark assigns a task). Point spark.worker.resource.gpu.discoveryScript (standalone) or
# spark.executor.resource.gpu.discoveryScript (YARN, Kubernetes) at it.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null; then
  echo "discover-gpus.sh: nvidia-smi not found; is the NVIDIA driver installed?" >&2
  exit 1
fi
indexes=$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ')
addresses=""
for i in $indexes; do
  addresses+="${addresses:+, }\"$i\""
done
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
