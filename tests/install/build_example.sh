#!/usr/bin/env bash
# ctest Install.TheCppExampleBuildsAgainstTheInstalledPackage: installs the library (headers, static
# libraries, the CMake package) into a fresh prefix, builds examples/cpp against it with find_package(vkae),
# trains it briefly on MNIST and reads the checkpoint back with the CLI.
# Usage: build_example.sh BUILD_DIR SOURCE_DIR VKAE_BINARY
set -euo pipefail
build=$1 source=$2 cli=$3
stage=$(mktemp -d "${TMPDIR:-/tmp}/vkae-install-XXXXXX")
trap 'rm -rf "$stage"' EXIT
cmake --install "$build" --prefix "$stage/prefix" --component library >/dev/null
test -f "$stage/prefix/lib/cmake/vkae/vkaeConfig.cmake"
test -f "$stage/prefix/include/vkae/nn/train/trainer.hpp"
cmake -S "$source/examples/cpp" -B "$stage/build" -DCMAKE_PREFIX_PATH="$stage/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$stage/build" -j 2 >/dev/null
"$stage/build/train_autoencoder" mnist "$stage/run" --epochs 1 --limit 256 | tee "$stage/out.txt"
# The CLI reads the example's checkpoint and finds the loss the example's validation did.
val=$(sed -n 's/^epoch 1: loss [0-9.]*, val_loss \([0-9.]*\),.*/\1/p' "$stage/out.txt")
test -n "$val"
"$cli" eval "$stage/run/checkpoint.safetensors" --limit 128 --noise 0 | tee "$stage/eval.txt"
grep -q "^test BCE $val on 128 images" "$stage/eval.txt"
# A bad flag is one line and a non-zero exit.
if "$stage/build/train_autoencoder" mnist "$stage/run2" --epochs x 2>"$stage/err.txt"; then exit 1; fi
test "$(wc -l <"$stage/err.txt")" = 1
