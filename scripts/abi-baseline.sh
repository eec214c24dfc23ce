#!/usr/bin/env bash
# Records libcliquet's ABI as the new baseline that the abi.baseline test
# compares with, when an ABI change is meant (docs/abi.md says when that is).
# Builds the library with the release preset (g++ 12, the compiler the
# baseline belongs to), shows what changed against the current baseline, and
# writes tests/abi/<SONAME>.abi. Review and commit it with the change.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
command -v abidw >/dev/null || { echo "abi-baseline: abidw is missing: run scripts/bootstrap.sh" >&2; exit 1; }

cmake --preset release >/dev/null
cmake --build --preset release --target cliquet
library=build/release/libcliquet.so
soname=$(objdump -p "$library" | awk '$1 == "SONAME" { print $2 }')
baseline=tests/abi/$soname.abi

if [ -f "$baseline" ]; then
  echo "== what changes against the current $baseline"
  # Exit codes say what kind of change it was; here the report is what counts.
  abidiff --exported-interfaces-only --drop-private-types --headers-dir2 include "$baseline" "$library" || true
else
  echo "== no baseline for $soname yet: a new SONAME starts a new one"
fi
tests/abi/record_abi.sh "$library" include "$baseline"
echo "== wrote $baseline ($(wc -c <"$baseline") bytes); commit it with the change it records"
