#!/usr/bin/env bash
# Runs sparkembed's embed job on GPU executors with the PyTorch engine. Edit the variables, then:
#   deploy/gpu/spark-submit-gpu.sh --input s3a://bucket/paragraphs.parquet --output s3a://bucket/embeddings \
#     --models /dbfs/models/all-minilm-l6-v2   # a folder with model.pt (deploy/models/export_model.py)
#
# Every executor needs the CUDA build of libtorch 2.7.1 (DJL's PyTorch 0.35.1 engine) without a
# network: either a pip install of torch 2.7.1+cu128 (PYTORCH_LIBRARY_PATH below), or a DJL cache
# staged once from a machine that can reach DJL's servers (DJL_CACHE_DIR); see deploy/gpu/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

MASTER=${MASTER:-spark://spark-master:7077}
JAR=${JAR:-$here/../../jobs/target/sparkembed-spark4_2.13.jar}
GPUS_PER_EXECUTOR=${GPUS_PER_EXECUTOR:-1}
# 0.5: two tasks share each GPU and its one loaded model, one tokenizing while the other runs
TASK_GPUS=${TASK_GPUS:-0.5}
CORES_PER_EXECUTOR=${CORES_PER_EXECUTOR:-4}
DJL_CACHE=${DJL_CACHE:-/opt/djl-cache}
TORCH_LIB=${TORCH_LIB:-} # e.g. /usr/local/lib/python3.11/dist-packages/torch/lib

engine_env=(--conf spark.executorEnv.DJL_CACHE_DIR="$DJL_CACHE"
  --conf spark.executorEnv.PYTORCH_FLAVOR=cu128
  --conf spark.executorEnv.PYTORCH_VERSION=2.7.1)
if [[ -n $TORCH_LIB ]]; then
  engine_env+=(--conf spark.executorEnv.PYTORCH_LIBRARY_PATH="$TORCH_LIB")
fi

exec spark-submit \
  --master "$MASTER" \
  --class dev.sparkembed.jobs.SparkEmbed \
  --conf spark.executor.cores="$CORES_PER_EXECUTOR" \
  --conf spark.executor.resource.gpu.amount="$GPUS_PER_EXECUTOR" \
  --conf spark.executor.resource.gpu.discoveryScript="$here/discover-gpus.sh" \
  --conf spark.task.resource.gpu.amount="$TASK_GPUS" \
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true \
  "${engine_env[@]}" \
  "$JAR" embed --engine pytorch --device gpu "$@"
