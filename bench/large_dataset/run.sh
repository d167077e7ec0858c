#!/usr/bin/env bash
# Training images/s on a small folder dataset next to a 150 MB one (over lavapipe's 128 MiB
# maxStorageBufferRange: two gather buffers) and the same 150 MB streamed past a forced --data-budget, in
# alternating rounds; prints each run and the medians. Same model, batch and steps for all three.
#   bench/large_dataset/run.sh [VKAE] [ROUNDS] [STEPS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vkae=${1:-$here/../../build/release/vkae}
rounds=${2:-3}
steps=${3:-300}
data=${VKAE_BENCH_DATA:-/tmp/vkae-bench-large}
python=${PYTHON:-/usr/bin/python3}  # Debian's, with python3-numpy
[ -d "$data/small" ] || "$python" "$here/make_folder.py" "$data/small" 2000
[ -d "$data/large" ] || "$python" "$here/make_folder.py" "$data/large" 50000  # 50,000 x 3x32x32 = 153.6 MB
common=(--steps "$steps" --batch 32 --no-val --seed 0)
rate() {  # the "(N img/s)" of vkae train's last line: "done: S steps, ... in T s (N img/s)"
  "$vkae" train "$@" "${common[@]}" --out "$data/run" 2>&1 | tr '\r' '\n' | tee "$data/last.log" |
    grep -o 'in [0-9.]* s ([0-9.]* img/s)' | tail -1 | grep -o '([0-9.]*' | tr -d '('
}
declare -A all
for r in $(seq "$rounds"); do
  for kind in small large streamed; do
    case $kind in
      small) v=$(rate "$data/small") ;;
      large) v=$(rate "$data/large") ;;
      streamed) v=$(rate "$data/large" --data-budget 48M) ;;
    esac
    echo "round $r $kind: $v images/s"
    all[$kind]="${all[$kind]:-} $v"
  done
done
for kind in small large streamed; do
  echo "$kind median: $(echo ${all[$kind]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') images/s"
done
