#!/usr/bin/env bash
# include/cliquet.h is C99 on its own: it compiles alone, warning-free and
# pedantic, with gcc and with clang 14, and declares no C++.
set -euo pipefail
header=$1
fail() { echo "check_header: $*" >&2; exit 1; }
[ -f "$header" ] || fail "$header is missing"
for compiler in gcc clang-14; do
  command -v "$compiler" >/dev/null || fail "$compiler is not installed"
  "$compiler" -std=c99 -Wall -Wextra -pedantic -Werror -fsyntax-only -x c "$header" ||
    fail "$compiler -std=c99 refuses $header"
  # Included twice (the guard), and used: a declaration each compiler checks.
  printf '#include "%s"\n#include "%s"\nint main(void) { return cliquet_version() == 0; }\n' "$header" "$header" |
    "$compiler" -std=c99 -Wall -Wextra -pedantic -Werror -fsyntax-only -x c - ||
    fail "$compiler refuses a C99 file that includes $header"
done
echo "check_header: $header is C99 under gcc and clang-14"
