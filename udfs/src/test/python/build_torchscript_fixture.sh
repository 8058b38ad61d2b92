#!/usr/bin/env bash
# Builds OUT_DIR/<model>.pt, a TorchScript copy of every ONNX model in ONNX_DIR, for the PyTorch
# engine's tests, and OUT_DIR/<model>-bfloat16.pt, the bfloat16 CPU tier of all-minilm-l6-v2 and
# e5-small-v2 (the mixed recipe deploy/models/build_cpu_tiers.sh builds for users; e5 is the
# built-in closest to the fidelity bar).
# Copies are cached by the ONNX file's SHA-256 (and dtype) under SPARKEMBED_FIXTURE_CACHE
# (default ~/.cache/sparkembed/torchscript), so a clean build does not trace again.
# Without Debian's python3-torch and python3-onnx it builds nothing and the tests that need the
# fixture skip; .ci/run installs both.
# usage: build_torchscript_fixture.sh ONNX_DIR OUT_DIR
set -euo pipefail
onnx_dir=$1
out_dir=$2
python=/usr/bin/python3
cache=${SPARKEMBED_FIXTURE_CACHE:-$HOME/.cache/sparkembed/torchscript}
script="$(dirname "${BASH_SOURCE[0]}")/../../../../deploy/models/torchscript_from_onnx.py"

if ! "$python" -c 'import torch, onnx' 2>/dev/null; then
  echo "TorchScript fixture: skipped, $python has no torch and onnx (apt-get install python3-torch python3-onnx)" >&2
  exit 0
fi
mkdir -p "$out_dir" "$cache"
for onnx in "$onnx_dir"/*.onnx; do
  name=$(basename "$onnx" .onnx)
  [[ $name == *-q ]] && continue # int8: no TorchScript copy
  "$python" "$script" --onnx "$onnx" --out "$out_dir/$name.pt" --cache "$cache"
done
for name in all-minilm-l6-v2 e5-small-v2; do
  bf16_onnx="$onnx_dir/$name.onnx"
  if [[ -f $bf16_onnx ]]; then
    "$python" "$script" --onnx "$bf16_onnx" --out "$out_dir/$name-bfloat16.pt" --cache "$cache" \
      --dtype bfloat16
  else
    echo "TorchScript fixture: no $bf16_onnx, so no bfloat16 copy" >&2
  fi
done
