#!/usr/bin/env bash
# Checks that every C++ file is formatted by the tree's .clang-format with Debian's clang-format 14 (what
# .ci/run runs). Usage: scripts/check-format.sh [--fix]   (--fix formats the files in place instead)
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=$(command -v clang-format-14 || true)
[[ -n $clang_format ]] || { echo "check-format: clang-format-14 not found (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(find app base bench dev examples nn python runtime tests viewer -name '*.cpp' -o -name '*.hpp' | sort)
if [[ ${1:-} == --fix ]]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
if ! "$clang_format" --dry-run --Werror "${files[@]}" 2>/tmp/vkae-format.$$; then
  grep -oE '^[^ :]+\.(cpp|hpp):[0-9]+:[0-9]+: (warning|error)' /tmp/vkae-format.$$ | cut -d: -f1 | sort -u | sed 's/^/check-format: not formatted: /' >&2
  rm -f /tmp/vkae-format.$$
  echo "check-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/vkae-format.$$
echo "check-format: ${#files[@]} files formatted"
