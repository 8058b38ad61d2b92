#!/bin/bash
# Databricks cluster init script (upload to the volume as init/stage-djl-cache.sh): copies the
# CUDA build of libtorch 2.7.1 that was staged once on the volume (deploy/gpu/README.md, section 2)
# into DJL's cache on local disk, so executors start the PyTorch engine with no network.
set -euo pipefail
src=${SPARKEMBED_STAGED_DJL_CACHE:-/Volumes/main/sparkembed/sparkembed/djl-cache}
dst=/local_disk0/tmp/djl-cache
mkdir -p "$dst"
if [[ -d $src ]]; then
  cp -r "$src"/. "$dst"/
else
  echo "stage-djl-cache.sh: $src not found; DJL will need a network to fetch libtorch" >&2
fi
