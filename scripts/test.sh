#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs packages, fetches MNIST, builds, runs every
# test on the Vulkan device (lavapipe when there is no GPU) with validation and synchronization validation
# on. Idempotent. Usage: scripts/test.sh [--sanitizers] [extra ctest args]
#   --sanitizers  also build with AddressSanitizer + UndefinedBehaviorSanitizer and run the suite again (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=0
if [[ ${1:-} == --sanitizers ]]; then
  sanitizers=1
  shift
fi
bash scripts/setup.sh
bash scripts/fetch-mnist.sh   # the end-to-end training tests read MNIST from the cache
jobs=$(nproc)

# A missing Vulkan device is a failure here, never a skip.
if ! vulkaninfo --summary >/dev/null 2>&1; then
  echo "test: no Vulkan device found (vulkaninfo --summary failed); mesa-vulkan-drivers should provide lavapipe" >&2
  exit 1
fi

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs" --timeout 900 "$@"

if ((sanitizers)); then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" --timeout 1800 "$@"
fi
