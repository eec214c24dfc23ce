#!/usr/bin/env bash
# Installs what cliquet needs on Debian 12 and says nothing when all of it is
# already there. Safe to run any number of times. Needs root (or sudo) only
# when something is missing. With --no-npm it leaves out what only the
# interop tests need: a new enough Node and the npm packages. With
# --packaging it adds what scripts/deb-check.sh needs to build and check the
# Debian packages (not needed by CI's run). Fails, saying what is missing,
# when it cannot provide them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

npm=yes
# Debian packages: toolchain extras (llvm-14 holds llvm-symbolizer, without
# which the sanitizers' reports are not symbolized and LeakSanitizer's
# suppressions, which name functions, match nothing), the libraries cliquet links, the test,
# benchmark and analysis tools (python3-jsonschema validates the test vectors;
# python3-pytest runs the Python package's tests, python3-pip installs it
# offline in python.install; abigail-tools checks the ABI
# against its baseline).
packages=(
  pkg-config cmake ninja-build g++ clang-14 libclang-rt-14-dev llvm-14
  libsodium-dev libssl-dev libprotobuf-dev protobuf-compiler nlohmann-json3-dev
  libsqlite3-dev catch2 libbenchmark-dev libolm-dev valgrind doxygen nodejs npm
  python3 python3-jsonschema python3-pytest python3-pip abigail-tools
)
for argument in "$@"; do
  case "$argument" in
    --no-npm) npm=no ;;
    --packaging) packages+=(dpkg-dev debhelper lintian) ;;  # no fakeroot: Rules-Requires-Root: no
    *) echo "usage: scripts/bootstrap.sh [--no-npm] [--packaging]" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    # A node and npm installed outside apt (e.g. from NodeSource) also do.
    case "$package" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "cliquet: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ $npm == no ]] && exit 0

fail() {
  echo "cliquet: $*" >&2
  exit 1
}

# The interop tests need the Node that interop/package.json's engines.node
# names (libsignal-client 0.90 and later are ES modules, which require()
# loads from Node 20.19 on). The system's Node if it is new enough, else
# Node's own release binaries as the npm registry ships them (the package
# node-linux-<arch>, which runs no install script), in interop/.node.
# cmake/InteropNode.cmake chooses by the same rule.
local_node_version=20.20.2
local_node_dir="$here/interop/.node"
local_node="$local_node_dir/node_modules/.bin/node"
minimum=$(sed -n 's/.*"node": *">= *\([0-9][0-9.]*\)".*/\1/p' "$here/interop/package.json")
[[ -n $minimum ]] || fail "interop/package.json names no minimum Node version (engines.node)"

# Whether the Node at $1 runs and is at least $minimum.
node_fits() {
  local version
  version=$("$1" --version 2>/dev/null) || return 1
  [[ $(printf '%s\n' "$minimum" "${version#v}" | sort -V | head -n 1) == "$minimum" ]]
}

node=""
if system_node=$(command -v node) && node_fits "$system_node"; then
  node=$system_node
elif node_fits "$local_node"; then
  node=$local_node
else
  case $(dpkg --print-architecture) in
    amd64) arch=x64 ;;
    arm64) arch=arm64 ;;
    *) fail "the interop tests need Node >= $minimum, and the npm registry has none for $(dpkg --print-architecture)" ;;
  esac
  have=${system_node:+Node $("$system_node" --version 2>/dev/null || echo "of unknown version") at $system_node}
  echo "cliquet: the interop tests need Node >= $minimum (${have:-no Node found}); installing" \
    "Node $local_node_version from the npm registry (node-linux-$arch) into interop/.node" >&2
  command -v npm >/dev/null 2>&1 || fail "npm is missing: it is needed to install Node >= $minimum"
  rm -rf "$local_node_dir"
  mkdir -p "$local_node_dir"
  echo '{"private": true}' > "$local_node_dir/package.json"
  npm install --prefix "$local_node_dir" --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error \
    "node-linux-$arch@$local_node_version" >/dev/null ||
    fail "could not install node-linux-$arch@$local_node_version from the npm registry; the interop tests need" \
      "Node >= $minimum (on the PATH, or in interop/.node)"
  node_fits "$local_node" ||
    fail "interop/.node's Node does not run, or is older than $minimum: $("$local_node" --version 2>&1 || true)"
  node=$local_node
fi

# The interop tests' node packages, pinned by interop/package-lock.json,
# installed by that Node (their install scripts run under it). Reinstalled
# only when the lock file changed since the last install.
stamp="$here/interop/node_modules/.cliquet-lock-stamp"
if [[ ! -f "$stamp" ]] || ! cmp -s "$here/interop/package-lock.json" "$stamp"; then
  echo "cliquet: installing the interop tests' npm packages" >&2
  (cd "$here/interop" && PATH="$(dirname "$node"):$PATH" npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    fail "npm ci in interop/ failed; the interop tests need its packages"
  cp "$here/interop/package-lock.json" "$stamp"
fi
