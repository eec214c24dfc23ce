#!/usr/bin/env bash
# Installs what cliquet needs on Debian 12 and says nothing when all of it is
# already there. Safe to run any number of times. Needs root (or sudo) only
# when something is missing. With --no-npm it leaves out the interop tests'
# npm packages, which only the test suite needs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages: toolchain extras, the libraries cliquet links, the test,
# benchmark and analysis tools.
packages=(
  pkg-config cmake ninja-build g++ clang-14 libclang-rt-14-dev
  libsodium-dev libssl-dev libprotobuf-dev protobuf-compiler nlohmann-json3-dev
  libsqlite3-dev catch2 libbenchmark-dev libolm-dev valgrind doxygen nodejs npm
)

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

[[ ${1:-} == --no-npm ]] && exit 0

# The interop tests' node packages, pinned by interop/package-lock.json.
# Reinstalled only when the lock file changed since the last install.
stamp="$here/interop/node_modules/.cliquet-lock-stamp"
if [[ ! -f "$stamp" ]] || ! cmp -s "$here/interop/package-lock.json" "$stamp"; then
  echo "cliquet: installing the interop tests' npm packages" >&2
  (cd "$here/interop" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$here/interop/package-lock.json" "$stamp"
fi
