#!/usr/bin/env bash
# Compiles tests/api/options_consumer.cpp, which includes cliquet.hpp and
# fills every options struct with designated initializers, with each
# compiler an application may use, under the warnings an application may
# turn on. Any warning fails.
set -euo pipefail
include_dir=$1
shift
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ $# -gt 0 ] || { echo "check_options_consumer: no compiler given" >&2; exit 1; }
for compiler in "$@"; do
  command -v "$compiler" >/dev/null || { echo "check_options_consumer: $compiler is not installed" >&2; exit 1; }
  "$compiler" -std=c++20 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror -I "$include_dir" \
    -c "$source_dir/options_consumer.cpp" -o "$scratch/options_consumer.o"
  echo "check_options_consumer: $compiler compiles it without a warning"
done
