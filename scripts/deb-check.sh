#!/usr/bin/env bash
# Builds the Debian packages (debian/) from the work tree, offline, into a
# scratch directory; runs lintian on them; unpacks them with dpkg -x into a
# scratch root; and builds and runs consumers against that root alone, with
# CMake's find_package and with pkg-config: the C++ and C consumers of
# tests/install/, and examples/hello.c. Also runs the packaged tools.
#
# usage: scripts/deb-check.sh [--check] [--keep]
#   --check  run the package build's unit tests too (debian/rules; adds the
#            test suite's build, several minutes); by default the build uses
#            DEB_BUILD_OPTIONS=nocheck and the nocheck profile, since CI runs
#            the same tests on the same sources under every preset
#   --keep   leave the scratch directory (packages, logs, root) and print it
# Needs dpkg-dev, debhelper and lintian (scripts/bootstrap.sh --packaging);
# exits 77 saying what is missing when they are not there. Not run by CI: it
# takes longer than CI's budget allows (docs/testing.md has the figure).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
check=no
keep=no
for argument in "$@"; do
  case "$argument" in
    --check) check=yes ;;
    --keep) keep=yes ;;
    *) echo "usage: scripts/deb-check.sh [--check] [--keep]" >&2; exit 2 ;;
  esac
done
fail() { echo "deb-check: $*" >&2; exit 1; }
step() { echo "== $* ($(date -u +%T))"; }

missing=()
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
  echo "deb-check: skipped: ${missing[*]} missing (scripts/bootstrap.sh --packaging installs them)" >&2
  exit 77
fi

# The packages carry the project's version.
project_version=$(sed -n 's/^project(cliquet VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
package_version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
[[ $package_version == "$project_version" ]] ||
  fail "debian/changelog is at $package_version, CMakeLists.txt's project() at $project_version: add a changelog entry (dch -v)"

scratch=$(mktemp -d)
if [[ $keep == yes ]]; then
  trap 'echo "deb-check: kept $scratch"' EXIT
else
  trap 'rm -rf "$scratch"' EXIT
fi

# The tree as git sees it, committed or not, without build output.
step "copying the source tree"
mkdir -p "$scratch/src"
(cd "$here" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do [[ -e $file ]] && printf '%s\0' "$file"; done |
  tar --null -T - -cf -) | tar -xf - -C "$scratch/src"

step "dpkg-buildpackage -us -uc -b"
build_options="parallel=$(nproc)"
profiles=()
if [[ $check == no ]]; then
  build_options="nocheck $build_options"
  profiles=(--build-profiles=nocheck)
fi
(cd "$scratch/src" && DEB_BUILD_OPTIONS=$build_options dpkg-buildpackage -us -uc -b "${profiles[@]}") \
  >"$scratch/build.log" 2>&1 || { tail -n 60 "$scratch/build.log" >&2; fail "dpkg-buildpackage failed (log above)"; }
changes=$(ls "$scratch"/cliquet_*.changes)
for package in libcliquet0 libcliquet-dev cliquet-tools; do
  ls "$scratch/${package}"_*.deb >/dev/null 2>&1 || fail "no $package package was built"
done

step "lintian"
lintian --fail-on error --info "$changes" | tee "$scratch/lintian.log" || fail "lintian reports errors (above)"

step "unpacking into a scratch root"
root=$scratch/root
for deb in "$scratch"/*.deb; do dpkg -x "$deb" "$root"; done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=$root/usr/lib/$multiarch
for file in "$libdir/libcliquet.so.0" "$libdir/libcliquet.so" "$libdir/libcliquet.a" \
  "$libdir/pkgconfig/cliquet.pc" "$libdir/cmake/cliquet/cliquetConfig.cmake" \
  "$root/usr/include/cliquet/cliquet.hpp" "$root/usr/bin/cliquet-peer" "$root/usr/bin/cliquet-vectors"; do
  [[ -e $file ]] || fail "${file#"$root"} is in no package"
done
[[ $(objdump -p "$libdir/libcliquet.so.0" | awk '$1 == "SONAME" { print $2 }') == libcliquet.so.0 ]] ||
  fail "the packaged library's SONAME is not libcliquet.so.0"

# run PROGRAM: runs a consumer and checks it loaded the unpacked library, not
# one installed elsewhere on this machine.
run() {
  local loaded
  loaded=$(LD_LIBRARY_PATH=$libdir ldd "$1" | awk '$1 ~ /^libcliquet\.so/ { print $3 }')
  [[ -z $loaded || $loaded == "$libdir/"* ]] || fail "$1 loads $loaded, not the packaged library"
  LD_LIBRARY_PATH=$libdir "$1"
}

export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --variable=prefix cliquet) -ef $root/usr ]] ||
  fail "cliquet.pc's prefix is $(pkg-config --variable=prefix cliquet), not the unpacked root"
consumer=$here/tests/install/consumer
# The C API's consumers too, once the tree has one: the install test's
# main.c, and the C example, which runs a session, sealed sender and a group.
c_api=no
if [[ -e $here/include/cliquet.h ]]; then
  [[ -e $root/usr/include/cliquet.h ]] || fail "include/cliquet.h is in no package"
  c_api=yes
fi
step "consumers with find_package"
cmake -S "$consumer" -B "$scratch/cmake-consumer" -G Ninja -DCMAKE_PREFIX_PATH="$root/usr" >/dev/null
cmake --build "$scratch/cmake-consumer" >/dev/null
run "$scratch/cmake-consumer/consumer"
[[ $c_api == no ]] || run "$scratch/cmake-consumer/c-consumer"
step "consumers with pkg-config"
# shellcheck disable=SC2046
c++ -std=c++20 "$consumer/main.cpp" -o "$scratch/pkg-consumer" $(pkg-config --cflags --libs cliquet)
run "$scratch/pkg-consumer"
if [[ $c_api == yes ]]; then
  for program in "$consumer/main.c" "$here/examples/hello.c"; do
    # shellcheck disable=SC2046
    cc -std=c99 -Wall -Wextra -pedantic -Werror "$program" -o "$scratch/c-program" $(pkg-config --cflags --libs cliquet)
    echo "${program#"$here"/}:"
    run "$scratch/c-program"
  done
fi

step "the packaged tools"
LD_LIBRARY_PATH=$libdir "$root/usr/bin/cliquet-vectors" verify "$here/test_vectors/xeddsa.json" "$here/test_vectors/session.json"
reply=$(printf '%s\n' '{"id":1,"op":"init","name":"deb-check","device_id":1,"registration_id":7}' '{"id":2,"op":"quit"}' |
  LD_LIBRARY_PATH=$libdir "$root/usr/bin/cliquet-peer")
grep -q '"id":1.*"ok":true' <<<"$reply" || fail "cliquet-peer did not answer init: $reply"
echo "cliquet-peer answers init: $(head -n 1 <<<"$reply" | cut -c1-80)..."
debs=("$scratch"/*.deb)
step "done: ${debs[*]##*/}"
