#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs a consumer
# through find_package(cliquet CONFIG) and another through pkg-config.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null

cmake -S "$source_dir/consumer" -B "$scratch/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
LD_LIBRARY_PATH="$scratch/prefix/lib" "$scratch/cmake-build/consumer"

export PKG_CONFIG_PATH="$scratch/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
c++ -std=c++20 "$source_dir/consumer/main.cpp" -o "$scratch/pkg-consumer" $(pkg-config --cflags --libs cliquet)
LD_LIBRARY_PATH="$scratch/prefix/lib" "$scratch/pkg-consumer"
# shellcheck disable=SC2046
c++ -std=c++20 "$source_dir/consumer/main.cpp" -o "$scratch/static-consumer" -static-libstdc++ \
  $(pkg-config --cflags cliquet) "$scratch/prefix/lib/libcliquet.a" $(pkg-config --libs-only-l --static cliquet | sed 's/-lcliquet//')
"$scratch/static-consumer"
