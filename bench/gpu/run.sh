#!/usr/bin/env bash
# The GPU run, in one script (issue: vkae on a real GPU). On the GPU machine, from the repo root after the
# device tool carried .gpu (made here by bench/gpu/pack.sh):
#   bash bench/gpu/run.sh            # the NVIDIA driver's Vulkan ICD, PyTorch on CUDA
#   bash bench/gpu/run.sh --cpu      # the same steps on this machine's lavapipe, PyTorch on the CPU
#   VKAE_GPU_STEPS="ops bench" bash bench/gpu/run.sh   # only the steps named
# It unpacks the bundle into /tmp/vkae-gpu, points the bundled Vulkan loader at the driver's ICD file
# (VK_DRIVER_FILES) and the bundled validation layer (VK_LAYER_PATH), then runs each step under its own
# time limit, so one that hangs cannot eat the machine's minutes: the devices; the op tests with validation
# on; `vkae bench` with its per-op table; compare_torch.py (NCHW, channels_last and, on CUDA, the step in a
# CUDA graph); a 1-epoch MNIST run and `vkae eval`; 1 against 2 ranks when an Open MPI 4 mpirun is there.
# Everything lands in $OUT: run.log (every step's output), compare.json (with vkae's per-op table),
# summary.txt. The limits add up to 555 s on a GPU (the device tool allows 600 a command).
set -uo pipefail
mode=gpu
[[ ${1:-} == --cpu ]] && mode=cpu
cd "$(dirname "$0")/../.."
bundle_tar=${VKAE_BUNDLE:-.gpu/bundle.tar.gz}
OUT=${OUT:-/tmp/vkae-gpu-out}
work=/tmp/vkae-gpu
mkdir -p "$OUT" && rm -rf "$work" && mkdir -p "$work"
[[ -f $bundle_tar ]] || { echo "run.sh: $bundle_tar not found (bash bench/gpu/pack.sh makes it)" >&2; exit 2; }
tar -C "$work" -xzf "$bundle_tar"
B=$work/bundle
log=$OUT/run.log summary=$OUT/summary.txt
: > "$log"
: > "$summary"
# The bundle's libraries for its own binaries only (wrappers), so PyTorch keeps the machine's.
for b in vkae vkae_tests; do
  printf '#!/bin/sh\nexport LD_LIBRARY_PATH=%s/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\nexec %s/bin/%s "$@"\n' \
    "$B" "$B" "$b" > "$B/$b"
  chmod +x "$B/$b"
done
export VK_LAYER_PATH=$B/layers
if [[ $mode == gpu ]]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
    /etc/vulkan/icd.d/nvidia_icd.json; do
    [[ -f $f ]] && { export VK_DRIVER_FILES=$f; break; }
  done
  [[ -n ${VK_DRIVER_FILES:-} ]] || echo "run.sh: no nvidia_icd.json found; the loader searches on its own" | tee -a "$summary"
fi
# The python that has torch: the GPU image's is the first python3 on PATH, Debian's /usr/bin/python3.
if [[ -z ${VKAE_PYTHON:-} ]]; then
  for py in "$(command -v python3)" /usr/bin/python3; do
    [[ -x $py ]] && "$py" -c 'import torch' 2> /dev/null && { VKAE_PYTHON=$py; break; }
  done
fi
export VKAE_PYTHON=${VKAE_PYTHON:-python3}
export VKAE_PEER_SCRIPT=$B/bench/compare_torch.py
data=$B/data/mnist
for f in "$data"/*.gz; do gunzip "$f"; done
vkae=$B/vkae
torch_device=cuda scale=1
[[ $mode == cpu ]] && torch_device=cpu scale=6  # lavapipe is slower: longer limits

# step NAME SECONDS COMMAND...: runs it with a limit, appends its output to run.log, one line to summary.
step() {
  local name=$1 limit=$(($2 * scale)) start rc
  shift 2
  [[ -z ${VKAE_GPU_STEPS:-} || " $VKAE_GPU_STEPS " == *" $name "* ]] || return 0
  echo "== $name ($(date +%T), limit ${limit} s): $*" >> "$log"
  start=$EPOCHREALTIME
  timeout -k 5 "$limit" "$@" >> "$log" 2>&1
  rc=$?
  local took
  took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "== $name: exit $rc after $took s" >> "$log"
  printf '%-10s exit %3d  %8.1f s\n' "$name" "$rc" "$took" >> "$summary"
  return 0
}

echo "vkae $(cat "$B/COMMIT") on $(hostname), $(date -u +%FT%TZ), mode $mode" >> "$summary"
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> "$summary"
step devices 30 "$vkae" devices
step ops 120 env VKAE_VALIDATION=1 "$B/vkae_tests" --gtest_filter='*Gpu*:Runtime.*:BenchTest.*' --gtest_brief=1
step bench 60 "$vkae" bench --steps 30 --warmup 10 --infer-images 10000
step compare 120 sh -c "'$VKAE_PYTHON' '$B/bench/compare_torch.py' '$vkae' --device $torch_device --rounds 3 \
  --infer-images 10000 --vkae-infer-images 10000 --json > '$OUT/compare.json' && \
  '$VKAE_PYTHON' -c 'import json,sys; r=json.load(open(sys.argv[1])); p=r[\"pytorch\"]; \
print(\"train\", r[\"vkae\"][\"train_images_per_s\"], p[\"train_images_per_s\"], p[\"train_best\"], r[\"ratio_train\"]); \
print(\"infer\", r[\"vkae\"][\"infer_images_per_s\"], p[\"infer_images_per_s\"], p[\"infer_best\"], r[\"ratio_infer\"])' \
  '$OUT/compare.json'"
step train 90 "$vkae" train mnist --data "$data" --epochs 1 --no-tensorboard --out "$work/run"
step eval 45 "$vkae" eval --checkpoint "$work/run/checkpoint.safetensors" --data "$data"
if mpirun --version 2> /dev/null | grep -q 'Open MPI) 4'; then
  pass=(-x VK_LAYER_PATH)
  [[ -n ${VK_DRIVER_FILES:-} ]] && pass+=(-x VK_DRIVER_FILES)
  step ranks 90 mpirun --allow-run-as-root --oversubscribe -np 2 "${pass[@]}" "$vkae" train mnist --data "$data" --epochs 1 --no-tensorboard --out "$work/run2"
else
  echo "ranks      skipped: no Open MPI 4 mpirun on this machine" >> "$summary"
fi
grep -E "^(training|inference):|done:|BCE|val loss|tests? (passed|failed)|FAILED|^train |^infer " "$log" >> "$summary"
cat "$summary"
