#!/bin/bash
# The photo results of docs/RESULTS.md, end to end: colour denoising (sigma 0.1) and 2x super-resolution on
# Debian's wallpaper photos, vkae against the same models trained the same way in PyTorch.
#   1. installs mate-backgrounds (and plasma-workspace-wallpapers for mate+plasma) and python3-pil if missing
#      (apt-get; builds nothing);
#   2. prepare.py: patches of the training photos, the others held out whole (noisy and 2x box-downscaled
#      copies): mate 9 / 3, mate+plasma 16 / 6;
#   3. trains vkae's dae and sr (batch 32, 1,500 steps, Adam 1e-3, seed 0) and the PyTorch twins
#      (torch_train.py, 2 threads), each timed;
#   4. evaluate.py: PSNR on the held-out photos, one table, and the twin check.
#
#   bash bench/photos/run.sh [path/to/vkae] [output folder] [collection]
#     (defaults: build/release/vkae, runs/photos, mate; collection mate+plasma is run 2 of docs/RESULTS.md:
#      22 photos, 6 held out by a seeded draw, see prepare.py)
#
# Everything is seeded, so a second run should give the same tables; the logs, checkpoints, outputs and
# results.json are left in the output folder, the wall times in timings.txt.
set -euo pipefail

VKAE=$(realpath "${1:-build/release/vkae}")
OUT=${2:-runs/photos}
COLLECTION=${3:-mate}
HERE=$(dirname "$(realpath "$0")")
PY=/usr/bin/python3
DATA=$OUT/data
STEPS=1500
BATCH=32

ensure_packages() {
  local missing=()
  local wanted=(mate-backgrounds python3-pil)
  [[ $COLLECTION == mate+plasma ]] && wanted+=(plasma-workspace-wallpapers)
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    apt-get install -y "${missing[@]}" >/dev/null
  fi
}

# timed NAME COMMAND...: runs COMMAND with its output in $OUT/NAME.log (and on the screen), appends the wall
# time to $OUT/timings.txt.
timed() {
  local name=$1
  shift
  local start=$SECONDS
  echo "== $name: $*"
  "$@" 2>&1 | tee "$OUT/$name.log"
  echo "$name $((SECONDS - start)) s" >>"$OUT/timings.txt"
}

train_vkae() {
  local name=$1
  shift
  rm -rf "${OUT:?}/$name"
  timed "$name" "$VKAE" train "$DATA/patches" --size 32 --batch $BATCH --steps $STEPS --lr 0.001 --seed 0 \
    --out "$OUT/$name" "$@"
}

train_torch() {
  local name=$1 model=$2
  shift 2
  timed "$name" $PY "$HERE/torch_train.py" "$DATA/patches" --model "$model" --batch $BATCH --steps $STEPS \
    --lr 0.001 --seed 0 --threads 2 --out "$OUT/$name.pt" "$@"
}

summary() {
  echo
  echo "== $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  cat "$OUT/evaluate.log"
  echo "wall times:"
  cat "$OUT/timings.txt"
  echo "vkae's own figures:"
  grep -h '^done:' "$OUT/vkae-dae.log" "$OUT/vkae-sr.log"
  echo "PyTorch's:"
  grep -h 'validation BCE' "$OUT/torch-dae.log" "$OUT/torch-sr.log"
  sha256sum "$OUT/vkae-dae/checkpoint.safetensors" "$OUT/vkae-sr/checkpoint.safetensors" "$OUT"/torch-*.pt
}

[ -x "$VKAE" ] || { echo "run.sh: $VKAE is not an executable (build vkae, or pass its path)" >&2; exit 1; }
ensure_packages
mkdir -p "$OUT"
: >"$OUT/timings.txt"
timed prepare $PY "$HERE/prepare.py" --out "$DATA" --collection "$COLLECTION"
train_vkae vkae-dae --model dae --noise 0.1
train_vkae vkae-sr --model sr
train_torch torch-dae dae --noise 0.1
train_torch torch-sr sr
timed evaluate $PY "$HERE/evaluate.py" "$DATA" --vkae "$VKAE" --vkae-dae "$OUT/vkae-dae/checkpoint.safetensors" \
  --vkae-sr "$OUT/vkae-sr/checkpoint.safetensors" --torch-dae "$OUT/torch-dae.pt" --torch-sr "$OUT/torch-sr.pt" \
  --work "$OUT/outputs" --json "$OUT/results.json"
summary | tee "$OUT/summary.txt"
