#!/usr/bin/env bash
# Packs what the GPU machine needs into .gpu/bundle.tar.gz (git-ignored; the device tool carries `.gpu`):
# the vkae binary and test binary built here, every shared library they load that is not glibc's (Debian's
# Vulkan loader libvulkan1 among them: that machine has none), the Khronos validation layer with its
# manifest, MNIST (gzipped), bench/compare_torch.py with bench/torch_peer.py, and bench/gpu/run.sh.
# Usage: bash bench/gpu/pack.sh [BUILD_DIR]   (default build/release; builds it first when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
[[ -x $build/vkae && -x $build/tests/vkae_tests ]] || { cmake --preset release && cmake --build --preset release -j "$(nproc)"; }
out=.gpu/bundle
rm -rf .gpu && mkdir -p "$out"/{bin,lib,layers,data/mnist,bench}
grep -qxF '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude

cp "$build/vkae" "$build/tests/vkae_tests" "$out/bin/"
layer_json=/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json
layer_so=$(ls /usr/lib/x86_64-linux-gnu/libVkLayer_khronos_validation.so)
# The libraries: everything ldd resolves for the binaries and the layer except glibc's and the compiler
# runtime's (the GPU machine's are newer, and its driver may load them too). Only the bundle's own binaries
# see them (run.sh's wrappers set LD_LIBRARY_PATH), never PyTorch.
for f in "$out/bin/vkae" "$out/bin/vkae_tests" "$layer_so"; do
  ldd "$f" | awk '/=> \// {print $3}'
done | sort -u | grep -vE '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' |
  while read -r lib; do
  cp -L "$lib" "$out/lib/"
done
cp -L "$layer_so" "$out/layers/"
# glvnd's dispatch libraries: the NVIDIA driver's Vulkan ICD (libGLX_nvidia.so.0) loads them, and that
# machine has only the driver (the device tool's notes bring the same set as Debian packages).
for lib in libGLdispatch.so.0 libGLX.so.0 libEGL.so.1 libOpenGL.so.0 libGL.so.1 libGLESv2.so.2; do
  cp -L "/usr/lib/x86_64-linux-gnu/$lib" "$out/lib/"
done
# The manifest names the library by a path relative to itself.
sed 's#"library_path": *"[^"]*"#"library_path": "./libVkLayer_khronos_validation.so"#' "$layer_json" \
  > "$out/layers/VkLayer_khronos_validation.json"

mnist=${VKAE_MNIST_DIR:-$HOME/.cache/vkae/mnist}
[[ -f $mnist/train-images-idx3-ubyte ]] || "$build/vkae" fetch mnist
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -c "$mnist/$f" > "$out/data/mnist/$f.gz"
done
cp bench/compare_torch.py bench/torch_peer.py "$out/bench/"
cp bench/gpu/run.sh "$out/"
git rev-parse --short HEAD > "$out/COMMIT"
tar -C .gpu -czf .gpu/bundle.tar.gz bundle
rm -rf "$out"
echo "pack.sh: .gpu/bundle.tar.gz $(du -h .gpu/bundle.tar.gz | cut -f1) at $(git rev-parse --short HEAD)"
