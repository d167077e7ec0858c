#!/usr/bin/env bash
# Fuzzes the parsers of hostile files with libFuzzer under ASan + UBSan (the `fuzz` preset, clang-14):
# the IDX reader, the safetensors loader, the checkpoint reader, the model-spec JSON parser and the image
# decoder. Builds the targets, writes the seed corpora with the project's own encoders, runs each target
# in turn and prints one line per target (executions, executions/s, corpus size, peak RSS). A finding
# (crash, sanitizer report, leak, timeout, out-of-memory) makes the exit status 1 and leaves the input in
# build/fuzz/findings/. The corpora in build/fuzz/corpus/ grow across runs. Before fuzzing, each target
# replays the inputs of past findings kept in fuzz/regressions/TARGET/: any report from one fails the run.
#
# usage: scripts/fuzz.sh [--seconds S | --runs N] [--seed K] [TARGET...]
#   --seconds S  run each target for S seconds (default 60)
#   --runs N     run each target for N executions instead (docs/RESULTS.md: --runs 10000000)
#   --seed K     libFuzzer's random seed (default: from the clock); .ci/run fixes it, so CI's run repeats
#   TARGET       idx, safetensors, checkpoint, spec, image (default all five)
# Set-up (clang-14, libfuzzer-14-dev) is scripts/setup.sh's; this script does not install.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(idx safetensors checkpoint spec image)
limit=(-max_total_time=60)
seed=()
targets=()
while (($#)); do
  case $1 in
    --seconds) limit=(-max_total_time="${2:?--seconds needs a number}"); shift 2 ;;
    --runs) limit=(-runs="${2:?--runs needs a number}"); shift 2 ;;
    --seed) seed=(-seed="${2:?--seed needs a number}"); shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (expected --seconds S, --runs N, --seed K or a target)" >&2; exit 2 ;;
    *)
      if [[ " ${all[*]} " != *" $1 "* ]]; then
        echo "fuzz.sh: unknown target '$1' (expected one of: ${all[*]})" >&2
        exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${all[@]}")

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" >/dev/null
out=build/fuzz
rm -rf "$out/seeds"
"$out/fuzz/fuzz_make_corpus" "$out/seeds" >/dev/null
mkdir -p "$out/corpus" "$out/findings" "$out/logs"

# Leaks are findings; a 2 GiB allocation or a 10 s input is one too (libFuzzer's defaults, written out).
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  log=$out/logs/$t.log
  if [[ -d fuzz/regressions/$t ]] && ! "$out/fuzz/fuzz_$t" -rss_limit_mb=2048 -timeout=10 fuzz/regressions/"$t"/* \
      >"$out/logs/$t-regressions.log" 2>&1; then
    echo "fuzz $t: a past finding in fuzz/regressions/$t/ fails again (see $out/logs/$t-regressions.log)" >&2
    grep -m3 -E "ERROR:|runtime error|SUMMARY|Running:" "$out/logs/$t-regressions.log" >&2 || true
    status=1
    continue
  fi
  if ! nice -n 19 "$out/fuzz/fuzz_$t" "${limit[@]}" "${seed[@]}" -dict="fuzz/dict/$t.dict" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$out/findings/$t-" "$out/corpus/$t" "$out/seeds/$t" >"$log" 2>&1; then
    echo "fuzz $t: FINDING (see $log and $out/findings/)" >&2
    grep -m3 -E "ERROR:|runtime error|SUMMARY|Test unit written" "$log" >&2 || tail -n 5 "$log" >&2
    status=1
    continue
  fi
  stat() { sed -n "s/^stat::$1: *//p" "$log"; }
  printf 'fuzz %-12s %10s executions  %6s exec/s  corpus %5s files  peak RSS %s MiB  no finding\n' \
    "$t" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
    "$(find "$out/corpus/$t" -type f | wc -l)" "$(stat peak_rss_mb)"
done
exit $status
