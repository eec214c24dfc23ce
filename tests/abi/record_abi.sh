#!/usr/bin/env bash
# usage: record_abi.sh LIBRARY HEADERS_DIR OUT
#
# Writes LIBRARY's ABI, as libabigail's abidw reads it from the DWARF, to OUT:
# the exported functions and variables, and the types they reach that
# HEADERS_DIR declares. scripts/abi-baseline.sh records libcliquet's baseline
# with it, check_policy.sh its tiny libraries.
#
# Locations stay, as file names only: abidiff tells a public type from a
# private one by the header it comes from, so without them no type change
# would be seen (check_policy.sh's "grown" case fails then); without their
# directories the record does not depend on where the tree was.
set -euo pipefail
library=$1
headers=$2
out=$3
"${ABIDW:-abidw}" --headers-dir "$headers" --short-locs --no-corpus-path --no-comp-dir-path \
  --drop-private-types --exported-interfaces-only --out-file "$out" "$library"
