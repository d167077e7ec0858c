#!/usr/bin/env bash
# Bit-exactness check for refactors: trains each built-in model 8 steps (a small subset, validation on 256
# test images) and prints the sha256 of its checkpoint and metrics.jsonl. Run before and after a change
# that must not alter outputs; the two listings must be identical.
# Usage: dev/checkpoint_hashes.sh [path/to/vkae] [models...]   (default build/release/vkae, all built-ins)
set -euo pipefail
vkae=${1:-build/release/vkae}
shift || true
models=("$@")
((${#models[@]})) || models=(dae dense vae sparse deep conv dae-transpose sr)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for m in "${models[@]}"; do
  "$vkae" train mnist --model "$m" --steps 8 --batch 32 --limit 512 --val-limit 256 --seed 3 \
    --out "$out/$m" >/dev/null
  (cd "$out/$m" && sha256sum checkpoint.safetensors metrics.jsonl | sed "s|^|$m |")
done
