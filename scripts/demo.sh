#!/usr/bin/env bash
# Quick start, command one: builds cliquet (release) and runs the demo.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target cliquet-demo >/dev/null
exec build/release/examples/cliquet-demo "$@"
