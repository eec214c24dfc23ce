#!/usr/bin/env bash
# usage: check_install.sh BUILD_DIR [LIBDIR]
# Installs the build into a scratch prefix, then builds and runs a consumer
# through find_package(cliquet CONFIG) and another through pkg-config. LIBDIR
# is the build's CMAKE_INSTALL_LIBDIR: lib, or lib/<multiarch> as Debian's
# package build sets it.
set -euo pipefail
build_dir=$1
libdir_name=${2:-lib}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
libdir=$scratch/prefix/$libdir_name

# Test-only code stays out of the package (issue 22): DeterministicRandom is in
# no installed header and in neither library, and cliquet_testing is not installed.
fail() { echo "check_install: $*" >&2; exit 1; }
! grep -rq DeterministicRandom "$scratch/prefix/include" || fail "an installed header declares DeterministicRandom"
[ -z "$(find "$scratch/prefix" -name '*cliquet_testing*')" ] || fail "cliquet_testing is installed"
# Symbol lists are read whole before grep: with `nm | grep -q` under pipefail,
# a match that stops grep early kills nm, and the negated check then passes.
for library in "$libdir/libcliquet.a" "$libdir/libcliquet.so"; do
  [ -e "$library" ] || fail "$library is missing"
  symbols=$(nm -C "$library" 2>/dev/null) || fail "nm cannot read $library"
  ! grep -q DeterministicRandom <<<"$symbols" || fail "$library holds DeterministicRandom"
done
exported=$(nm -DC "$libdir/libcliquet.so") || fail "nm cannot read $libdir/libcliquet.so"
! grep -q DeterministicRandom <<<"$exported" || fail "libcliquet.so exports DeterministicRandom"

cmake -S "$source_dir/consumer" -B "$scratch/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$scratch/cmake-build/consumer"

export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
c++ -std=c++20 "$source_dir/consumer/main.cpp" -o "$scratch/pkg-consumer" $(pkg-config --cflags --libs cliquet)
LD_LIBRARY_PATH="$libdir" "$scratch/pkg-consumer"
# shellcheck disable=SC2046
c++ -std=c++20 "$source_dir/consumer/main.cpp" -o "$scratch/static-consumer" -static-libstdc++ \
  $(pkg-config --cflags cliquet) "$libdir/libcliquet.a" $(pkg-config --libs-only-l --static cliquet | sed 's/-lcliquet//')
"$scratch/static-consumer"

# The C API: a C99 program over the installed cliquet.h and libcliquet.so,
# through pkg-config and through the CMake package.
[ -f "$scratch/prefix/include/cliquet.h" ] || fail "cliquet.h is not installed"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror "$source_dir/consumer/main.c" -o "$scratch/c-consumer" \
  $(pkg-config --cflags --libs cliquet)
LD_LIBRARY_PATH="$libdir" "$scratch/c-consumer"
LD_LIBRARY_PATH="$libdir" "$scratch/cmake-build/c-consumer"
