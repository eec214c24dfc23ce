#!/usr/bin/env bash
# usage: check_baseline.sh BASELINE LIBRARY HEADERS_DIR
#
# The library keeps the ABI that BASELINE (abidw's record of an earlier build)
# describes: libabigail's abidiff compares the two over the types that
# HEADERS_DIR declares. Additions pass; anything else fails (docs/abi.md):
#   removed or changed symbols  (ABIDIFF_ABI_INCOMPATIBLE_CHANGE, bit 8)
#   changed public types, e.g. a class's size or a parameter's type
#                               (ABIDIFF_ABI_CHANGE, bit 4, which libabigail
#                                cannot always rank as incompatible: under one
#                                SONAME we treat it as a break all the same)
#   abidiff's own failure       (ABIDIFF_ERROR 1, ABIDIFF_USAGE_ERROR 2)
# Added functions and variables raise bit 4 too, which --no-added-syms takes
# out of the comparison: a library may grow under the same SONAME. The
# options match record_abi.sh's, which wrote the baseline.
set -uo pipefail
baseline=$1
library=$2
headers=$3
abidiff=${ABIDIFF:-abidiff}
fail() { echo "check_baseline: $*" >&2; exit 1; }

[ -f "$baseline" ] || fail "no baseline $baseline for $(basename "$library"): a new SONAME needs one (scripts/abi-baseline.sh)"
[ -f "$library" ] || fail "$library is missing"
# Without DWARF abidiff compares symbols only and misses every type change
# (and its --fail-no-debug-info does not refuse a stripped library). The
# section list is read whole first: `objdump | grep -q` under pipefail fails
# whenever grep stops reading before objdump has written everything.
sections=$(objdump -h "$library") || fail "objdump cannot read $library"
grep -qF .debug_info <<<"$sections" ||
  fail "$library has no DWARF (.debug_info): types cannot be compared (CLIQUET_ABI_CHECK builds it with -g)"

report=$("$abidiff" --no-added-syms --exported-interfaces-only --drop-private-types \
  --headers-dir2 "$headers" "$baseline" "$library" 2>&1)
status=$?
if ((status == 0)); then
  echo "check_baseline: $(basename "$library") keeps the ABI of $(basename "$baseline")"
  exit 0
fi
printf '%s\n' "$report" >&2
((status & 3)) && fail "abidiff could not compare (exit $status)"
((status & 8)) && fail "$(basename "$library") breaks the ABI of $(basename "$baseline"): symbols were removed or changed"
fail "$(basename "$library") changes types of the ABI of $(basename "$baseline") (abidiff exit $status);" \
  "if that is meant, see docs/abi.md on changing the ABI"
