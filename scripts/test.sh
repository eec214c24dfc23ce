#!/usr/bin/env bash
# Quick start, command two: builds everything and runs the whole test suite:
# unit, vectors, interop (the real libsignal packages) and fuzz under the
# release preset, then unit and vectors again under ASan+UBSan.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
scripts/bootstrap.sh

jobs=$(nproc)
for preset in release asan-ubsan; do
  echo "== $preset: build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test"
  if [[ $preset == release ]]; then
    ctest --preset "$preset" -j "$jobs"
  else
    # Interop spawns node, which the sanitizers do not cover; the release
    # run already drove it against the same code.
    ctest --preset "$preset" -j "$jobs" -LE interop
  fi
done
