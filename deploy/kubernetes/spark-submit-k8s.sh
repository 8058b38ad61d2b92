#!/usr/bin/env bash
# sparkembed's embed job on Kubernetes, cluster deploy mode, with the image of
# deploy/kubernetes/Dockerfile (sparkembed and the model jar in /opt/spark/jars).
#
#   K8S_MASTER=k8s://https://my-cluster:6443 IMAGE=registry.example.com/sparkembed:0.1.0 \
#   deploy/kubernetes/spark-submit-k8s.sh --input s3a://bucket/corpus/ --output s3a://bucket/embeddings/ \
#     [--models all-minilm-l6-v2 | --models /opt/sparkembed/models/<folder> | --models s3a://bucket/models/<folder>]
#
# Files from the submitting machine (a registry, --archives models.tgz#models) go through
# UPLOAD_PATH (spark.kubernetes.file.upload.path: an s3a://, gs://, abfss:// or hdfs:// folder
# that driver and executors can read). Environment: K8S_MASTER, IMAGE, NAMESPACE, SERVICE_ACCOUNT,
# UPLOAD_PATH, MODELS_TGZ, EXECUTORS, EXECUTOR_CORES, EXECUTOR_MEMORY, EXECUTOR_OVERHEAD,
# DRIVER_MEMORY, GPUS_PER_EXECUTOR (0: CPU), SPARK_SUBMIT, DRY_RUN=1 (print the command).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

K8S_MASTER=${K8S_MASTER:?set K8S_MASTER, e.g. k8s://https://kubernetes.default.svc:443}
IMAGE=${IMAGE:?set IMAGE to the image built from deploy/kubernetes/Dockerfile}
NAMESPACE=${NAMESPACE:-default}
SERVICE_ACCOUNT=${SERVICE_ACCOUNT:-spark}
UPLOAD_PATH=${UPLOAD_PATH:-}
MODELS_TGZ=${MODELS_TGZ:-}
EXECUTORS=${EXECUTORS:-4}
EXECUTOR_CORES=${EXECUTOR_CORES:-4}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-6g}
# the pod's memory limit is executor memory + overhead: ONNX Runtime's and libtorch's native
# memory lives in the overhead, so leave room for it (a pod over its limit is OOM-killed)
EXECUTOR_OVERHEAD=${EXECUTOR_OVERHEAD:-3g}
DRIVER_MEMORY=${DRIVER_MEMORY:-4g}
GPUS_PER_EXECUTOR=${GPUS_PER_EXECUTOR:-0}
SPARK_SUBMIT=${SPARK_SUBMIT:-spark-submit}

args=(
  --master "$K8S_MASTER" --deploy-mode cluster
  --name sparkembed
  --class dev.sparkembed.jobs.SparkEmbed
  --conf spark.kubernetes.namespace="$NAMESPACE"
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="$SERVICE_ACCOUNT"
  --conf spark.kubernetes.container.image="$IMAGE"
  --conf spark.executor.instances="$EXECUTORS"
  --conf spark.executor.cores="$EXECUTOR_CORES"
  --conf spark.executor.memory="$EXECUTOR_MEMORY"
  --conf spark.executor.memoryOverhead="$EXECUTOR_OVERHEAD"
  --conf spark.driver.memory="$DRIVER_MEMORY"
  --conf spark.driver.extraJavaOptions=-Dai.djl.offline=true
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true
  # the image sets these too; repeated so an image without them still works
  --conf spark.kubernetes.driverEnv.DJL_CACHE_DIR=/opt/sparkembed/djl-cache
  --conf spark.executorEnv.DJL_CACHE_DIR=/opt/sparkembed/djl-cache
  --conf spark.executorEnv.SPARKEMBED_MODEL_DIR=/opt/sparkembed/model-copies
  --conf spark.executorEnv.TOKENIZERS_PARALLELISM=false
)
if [[ -n $UPLOAD_PATH ]]; then
  args+=(--conf spark.kubernetes.file.upload.path="$UPLOAD_PATH")
fi
if [[ -n $MODELS_TGZ ]]; then
  if [[ -z $UPLOAD_PATH ]]; then
    echo "spark-submit-k8s.sh: MODELS_TGZ needs UPLOAD_PATH (spark.kubernetes.file.upload.path)" >&2
    exit 2
  fi
  args+=(--archives "$MODELS_TGZ#models")
fi
if [[ $GPUS_PER_EXECUTOR != 0 ]]; then
  # NVIDIA's device plugin: nvidia.com/gpu on the executor pods; Spark finds the addresses with
  # the discovery script (in the image: COPY deploy/gpu/discover-gpus.sh, or --files)
  args+=(
    --conf spark.executor.resource.gpu.amount="$GPUS_PER_EXECUTOR"
    --conf spark.executor.resource.gpu.vendor=nvidia.com
    --conf spark.executor.resource.gpu.discoveryScript=/opt/sparkembed/discover-gpus.sh
    --conf spark.task.resource.gpu.amount=0.5
    --conf spark.executorEnv.PYTORCH_FLAVOR=cu128
    --conf spark.executorEnv.PYTORCH_VERSION=2.7.1
  )
fi
# the jar is in the image: local:// names a file inside the container
args+=(local:///opt/spark/jars/sparkembed.jar embed "$@")

if [[ ${DRY_RUN:-0} == 1 ]]; then
  printf '%q ' "$SPARK_SUBMIT" "${args[@]}"
  echo
  exit 0
fi
exec "$SPARK_SUBMIT" "${args[@]}"
