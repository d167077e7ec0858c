#!/usr/bin/env bash
# The long-run check: many epochs of dae with a checkpoint every few hundred steps, TensorBoard on, and the
# process's resident memory and vkae's device memory read from history.csv at every epoch's end; prints the
# first, last and largest of each and the growth from epoch 2 (epoch 1 holds the one-time warm-up).
# Usage: bench/long_run.sh [EPOCHS] [LIMIT] [OUT]   (default 50 epochs of the first 4096 images)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-50} limit=${2:-4096} out=${3:-runs/long-dae}
rm -rf "$out"
mkdir -p "$(dirname "$out")"
/usr/bin/time -v build/release/vkae train mnist --model dae --epochs "$epochs" --limit "$limit" \
  --val-limit 1024 --save-every 200 --save-best --lr-schedule cosine --out "$out" 2> "$out.time" | tail -4
python3 - "$out/history.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for col in ("host_rss_mib", "device_mib", "images_per_second", "seconds"):
    v = [float(r[col]) for r in rows]
    print(f"{col:18} epoch1 {v[0]:9.1f}  epoch2 {v[1]:9.1f}  last {v[-1]:9.1f}  max {max(v):9.1f}  "
          f"growth from epoch 2 {v[-1] - v[1]:+.1f}")
print(f"epochs {len(rows)}, val loss {rows[0]['val_loss']} -> {rows[-1]['val_loss']}")
PY
grep -E "Maximum resident|Elapsed" "$out.time"
