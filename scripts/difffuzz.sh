#!/usr/bin/env bash
# The differential fuzzing campaign against libsignal 0.103 (docs/testing.md,
# "Differential fuzzing"), outside CI: COUNT mutants of each kind of message
# (whisper, pre-key, sealed sender v1 and v2, sender key, sender
# certificate, retry request) from SEED, fed to cliquet and libsignal holding the same
# state. Prints the figures and every class of disagreement, writes them as
# JSON to build/<preset>/difffuzz-<seed>.json, and fails if any disagreement
# is not one docs/testing.md lists as deliberate.
#
#   scripts/difffuzz.sh [COUNT [SEED]]     (defaults: 100000, 1)
#   PRESET=debug scripts/difffuzz.sh 1000  (another build preset)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

count=${1:-100000}
seed=${2:-1}
preset=${PRESET:-release}

[[ -f build/$preset/CMakeCache.txt ]] || cmake --preset "$preset" >/dev/null
# The Node that configuring chose for the interop tests (cmake/InteropNode.cmake).
node=$(sed -n 's/^CLIQUET_INTEROP_NODE:INTERNAL=//p' "build/$preset/CMakeCache.txt")
if [[ -z $node ]]; then
  echo "cliquet: $(sed -n 's/^CLIQUET_INTEROP_NODE_PROBLEM:INTERNAL=//p' "build/$preset/CMakeCache.txt")" >&2
  exit 1
fi
cmake --build --preset "$preset" --target cliquet-state-peer >/dev/null

report="$here/build/$preset/difffuzz-$seed.json"
cd interop
CLIQUET_STATE_PEER="$here/build/$preset/tools/cliquet-state-peer" \
  exec "$node" fuzz/differential.js --count "$count" --seed "$seed" --json "$report"
