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
  # The Node that configuring chose for the interop tests
  # (cmake/InteropNode.cmake): none means stopping now, not a run without them.
  problem=$(sed -n 's/^CLIQUET_INTEROP_NODE_PROBLEM:INTERNAL=//p' "build/$preset/CMakeCache.txt")
  if [[ -n $problem ]]; then
    echo "cliquet: $problem" >&2
    exit 1
  fi
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
