#!/usr/bin/env bash
# Quick start, command one: builds cliquet (release) and runs the demo.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
# The demo needs the Debian packages only, not the interop tests' npm ones.
scripts/bootstrap.sh --no-npm
cmake --preset release >/dev/null
[[ -x build/release/examples/cliquet-demo ]] || echo "cliquet: building the library and the demo (a few minutes the first time)" >&2
cmake --build --preset release --target cliquet-demo >/dev/null
exec build/release/examples/cliquet-demo "$@"
