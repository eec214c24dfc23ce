#!/usr/bin/env bash
# usage: check_policy.sh CXX
#
# abi.baseline can fail: two tiny libraries, an old one whose ABI
# record_abi.sh records as scripts/abi-baseline.sh records libcliquet's, and
# a new one changed
# in one way, go through check_baseline.sh. An addition must pass; a removed
# function, a changed parameter type, a class that grows, a stripped library
# must each fail, for the reason the check gives.
set -euo pipefail
cxx=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "check_policy: $*" >&2; exit 1; }

# The old interface, then each change as a sed script over header and source.
mkdir -p "$scratch/old/include/tiny"
cat >"$scratch/old/include/tiny/tiny.hpp" <<'HEADER'
#pragma once
#define TINY_EXPORT __attribute__((visibility("default")))
namespace tiny {
struct Options {
    int rounds;
    int width;
};
class TINY_EXPORT Counter {
public:
    explicit Counter(const Options& options);
    int next();
private:
    Options options_;
    int value_ = 0;
};
TINY_EXPORT int scale(const Options& options, int by);
TINY_EXPORT int retired(int value);
}
HEADER
cat >"$scratch/old/tiny.cpp" <<'SOURCE'
#include <tiny/tiny.hpp>
namespace tiny {
Counter::Counter(const Options& options) : options_(options) {}
int Counter::next() { return value_ += options_.width; }
int scale(const Options& options, int by) { return options.rounds * by; }
int retired(int value) { return value; }
}
SOURCE

build() { # name [sed script] [extra compiler flags...]
  local name=$1 script=${2:-} dir=$scratch/$1
  shift 2 || shift $#
  if [ "$name" != old ]; then
    mkdir -p "$dir/include/tiny"
    sed -e "$script" "$scratch/old/include/tiny/tiny.hpp" >"$dir/include/tiny/tiny.hpp"
    sed -e "$script" "$scratch/old/tiny.cpp" >"$dir/tiny.cpp"
  fi
  "$cxx" -std=c++20 -g -O2 -fPIC -shared -fvisibility=hidden -Wl,-soname,libtiny.so.0 "$@" \
    -I "$dir/include" "$dir/tiny.cpp" -o "$dir/libtiny.so.0"
}

build old
"$here/record_abi.sh" "$scratch/old/libtiny.so.0" "$scratch/old/include" "$scratch/libtiny.so.0.abi"

# expect NAME pass|fail [REASON]: check_baseline.sh's verdict on NAME's library.
expect() {
  local name=$1 verdict=$2 reason=${3:-} output
  if output=$("$here/check_baseline.sh" "$scratch/libtiny.so.0.abi" "$scratch/$name/libtiny.so.0" "$scratch/$name/include" 2>&1); then
    [ "$verdict" = pass ] || fail "$name: the check passed a library it must refuse"$'\n'"$output"
  else
    [ "$verdict" = fail ] || fail "$name: the check refused a library it must pass"$'\n'"$output"
    grep -qF -- "$reason" <<<"$output" || fail "$name: refused, but not because '$reason'"$'\n'"$output"
  fi
  echo "check_policy: $name: ${verdict}ed${reason:+ ($reason)}"
}

build same ''
expect same pass
build added 's/^TINY_EXPORT int retired(int value);/&\nTINY_EXPORT int added(int value);/; s/^int retired(int value) { return value; }/&\nint added(int value) { return value + 1; }/'
expect added pass
build removed '/retired/d'
expect removed fail 'symbols were removed or changed'
build parameter 's/int retired(int value)/int retired(long value)/'
expect parameter fail 'symbols were removed or changed'
build grown 's/^    int width;/&\n    int depth;/'
expect grown fail 'changes types'
build stripped '' -s
expect stripped fail 'has no DWARF'
