#!/usr/bin/env bash
# 1 rank against 2 ranks (mpirun) on this machine: dae on MNIST, global batch 128, no validation, alternating
# rounds; prints each run's images/s (training time only) and the all-reduce's share, then the medians.
# 1 rank runs once with lavapipe on every core (LP_NUM_THREADS unset) and once on one core, the 2 ranks one
# core each. Usage: bench/ranks.sh [ROUNDS] [STEPS]   (default 3 rounds of 60 steps)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3} steps=${2:-60}
bin=build/release/vkae
args=(train mnist --model dae --batch 128 --steps "$steps" --limit $((steps * 128)) --no-val --no-tensorboard)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
root=(); [[ $(id -u) == 0 ]] && root=(--allow-run-as-root)
rate() { sed -n 's/.*(\([0-9.]*\) img\/s).*/\1/p' "$1" | tail -n 1; }
share() { sed -n 's/.*(\([0-9.]*\) %)$/\1/p' "$1" | tail -n 1; }
declare -a all one two twoshare
for ((r = 1; r <= rounds; ++r)); do
  "$bin" "${args[@]}" --out "$out/a$r" >"$out/a$r.log" 2>&1
  LP_NUM_THREADS=1 "$bin" "${args[@]}" --out "$out/b$r" >"$out/b$r.log" 2>&1
  LP_NUM_THREADS=1 mpirun "${root[@]}" --oversubscribe -np 2 "$bin" "${args[@]}" --out "$out/c$r" >"$out/c$r.log" 2>&1
  all+=("$(rate "$out/a$r.log")") one+=("$(rate "$out/b$r.log")") two+=("$(rate "$out/c$r.log")")
  twoshare+=("$(share "$out/c$r.log")")
  echo "round $r: 1 rank all cores ${all[-1]} img/s, 1 rank 1 core ${one[-1]} img/s, 2 ranks ${two[-1]} img/s (all-reduce ${twoshare[-1]} % of rank 0's time)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
echo "median: 1 rank all cores $(median "${all[@]}") img/s, 1 rank 1 core $(median "${one[@]}") img/s, 2 ranks $(median "${two[@]}") img/s, all-reduce $(median "${twoshare[@]}") %"
