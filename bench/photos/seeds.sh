#!/bin/bash
# The denoising comparison again at more seeds, on the data and sr models run.sh left in OUT: each seed trains
# vkae's dae and its PyTorch twin (batch 32, 1,500 steps, Adam 1e-3, noise 0.1; on each side the seed sets
# the initial weights, the permutations and the noise draws) and evaluates them on the held-out
# photos; then one table of the mean gain per seed and over the seeds, seed 0 being run.sh's own run.
# One seed's pair differs by up to ~0.6 dB either way (different draws), so parity is read on the mean.
#
#   bash bench/photos/seeds.sh [path/to/vkae] [run.sh's output folder] [seeds...]
#     (defaults: build/release/vkae, runs/photos2, seeds 1 2)
set -euo pipefail

VKAE=$(realpath "${1:-build/release/vkae}")
OUT=${2:-runs/photos2}
SEEDS=("${@:3}")
((${#SEEDS[@]})) || SEEDS=(1 2)
HERE=$(dirname "$(realpath "$0")")
PY=/usr/bin/python3
DATA=$OUT/data
[ -f "$OUT/results.json" ] || { echo "seeds.sh: $OUT/results.json not found (run bench/photos/run.sh first)" >&2; exit 1; }

for S in "${SEEDS[@]}"; do
  rm -rf "${OUT:?}/vkae-dae-s$S"
  "$VKAE" train "$DATA/patches" --size 32 --batch 32 --steps 1500 --lr 0.001 --seed "$S" --model dae --noise 0.1 \
    --out "$OUT/vkae-dae-s$S" >"$OUT/vkae-dae-s$S.log" 2>&1
  $PY "$HERE/torch_train.py" "$DATA/patches" --model dae --noise 0.1 --batch 32 --steps 1500 --lr 0.001 --seed "$S" \
    --threads 2 --out "$OUT/torch-dae-s$S.pt" >"$OUT/torch-dae-s$S.log" 2>&1
  $PY "$HERE/evaluate.py" "$DATA" --vkae "$VKAE" --vkae-dae "$OUT/vkae-dae-s$S/checkpoint.safetensors" \
    --vkae-sr "$OUT/vkae-sr/checkpoint.safetensors" --torch-dae "$OUT/torch-dae-s$S.pt" \
    --torch-sr "$OUT/torch-sr.pt" --work "$OUT/outputs-s$S" --json "$OUT/results-s$S.json" >"$OUT/evaluate-s$S.log" 2>&1
  echo "seed $S: $(grep -h '^done:' "$OUT/vkae-dae-s$S.log")"
done

$PY - "$OUT" "${SEEDS[@]}" <<'PYEOF'
import json, sys
out, seeds = sys.argv[1], ["0"] + sys.argv[2:]
print("seed   vkae gain  PyTorch gain  vkae-PT   (dB, mean over the held-out photos)")
gains = []
for s in seeds:
    rows = json.load(open(f"{out}/results{'' if s == '0' else '-s' + s}.json"))
    v = sum(r["vkae_dae"] - r["noisy"] for r in rows) / len(rows)
    t = sum(r["torch_dae"] - r["noisy"] for r in rows) / len(rows)
    gains.append((v, t))
    print(f"{s:>4}   {v:+9.2f}  {t:+12.2f}  {v - t:+7.2f}")
v, t = (sum(g[i] for g in gains) / len(gains) for i in (0, 1))
print(f"mean   {v:+9.2f}  {t:+12.2f}  {v - t:+7.2f}   over {len(gains)} seeds")
PYEOF
