#!/usr/bin/env bash
# The shared library's SONAME is the one its ABI version names, and the
# build made the link of that name beside it.
set -euo pipefail
library=$1
expected=$2
fail() { echo "check_soname: $*" >&2; exit 1; }
soname=$(objdump -p "$library" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "$expected" ] || fail "$library has SONAME '${soname}', expected '$expected'"
[ -e "$(dirname "$library")/$expected" ] || fail "no $expected beside $library"
echo "check_soname: $soname"
