#!/usr/bin/env bash
# libcliquet.so exports the public API and nothing else.
#
# Every symbol in the dynamic symbol table must belong to namespace cliquet,
# outside its internal namespaces, and be named in include/cliquet; or be a
# function of the C API, cliquet_*, declared in include/cliquet.h. So that
# the check cannot pass on an empty or unreadable table, it also requires a
# few known public symbols to be exported, and internal symbols to be present
# in the library's full symbol table yet absent from the exported one.
set -euo pipefail
library=$1
include_dir=$2
fail() { echo "check_exports: $*" >&2; exit 1; }

[ -f "$library" ] || fail "$library is missing"
exported=$(nm -D --defined-only -C "$library" | sed -E 's/^[0-9a-fA-F]* *[A-Za-z] //')
[ -n "$exported" ] || fail "nm shows no exported symbol in $library"

# Every identifier the public headers spell.
public_names=$(grep -ohE '\b[A-Za-z_][A-Za-z0-9_]*\b' "$include_dir"/cliquet/*.hpp | sort -u)

# Every function the C API declares.
c_functions=$(grep -ohE '\bcliquet_[a-z0-9_]+\(' "$include_dir"/cliquet.h | tr -d '(' | sort -u)
[ -n "$c_functions" ] || fail "include/cliquet.h declares no function"

leaks=()
c_exported=0
while IFS= read -r symbol; do
  case "$symbol" in
    _init | _fini | __bss_start | _edata | _end) continue ;;
  esac
  if [[ "$symbol" =~ ^cliquet_[a-z0-9_]+$ ]]; then
    if grep -qxF "$symbol" <<<"$c_functions"; then c_exported=$((c_exported + 1)); else leaks+=("$symbol"); fi
    continue
  fi
  # What the symbol is about: strip what the compiler puts before the name.
  name=$(sed -E 's/^(typeinfo name for |typeinfo for |vtable for |VTT for |construction vtable for .*-in-|non-virtual thunk to |virtual thunk to |covariant return thunk to |guard variable for )//' <<<"$symbol")
  if [[ "$name" != cliquet::* ]] || [[ "$name" == *"(anonymous namespace)"* ]]; then
    leaks+=("$symbol"); continue
  fi
  rest=${name#cliquet::}
  first=$(sed -E 's/^([A-Za-z_][A-Za-z0-9_]*|operator[^(]*).*/\1/' <<<"$rest")
  case "$first" in
    crypto | protocol | store | peer | detail | spqr) leaks+=("$symbol"); continue ;;
  esac
  if [[ "$first" != operator* ]] && ! grep -qxF "$first" <<<"$public_names"; then
    leaks+=("$symbol")
  fi
done <<<"$exported"

if [ ${#leaks[@]} -gt 0 ]; then
  printf '  %s\n' "${leaks[@]}" >&2
  fail "${#leaks[@]} exported symbols are not public API"
fi

# Known public API is exported.
for expected in \
  'cliquet::IdentityKeyPair::generate(' \
  'cliquet::SessionCipher::encrypt(' \
  'cliquet::SqliteStore::open(' \
  'cliquet::from_hex(' \
  'typeinfo for cliquet::Error' \
  'typeinfo for cliquet::SessionStore'; do
  grep -qF "$expected" <<<"$exported" || fail "the public '$expected' is not exported"
done

# The C API is exported whole: every function include/cliquet.h declares.
c_declared=$(wc -l <<<"$c_functions")
[ "$c_exported" -eq "$c_declared" ] || fail "$c_exported of the $c_declared C API functions are exported"

# Internals are in the library, just not exported: the check above saw a
# table that hides them rather than a library that lacks them.
all=$(nm --defined-only -C "$library")
for internal in 'cliquet::crypto::' 'cliquet::protocol::'; do
  grep -qF "$internal" <<<"$all" || fail "no $internal symbol in $library's symbol table (stripped?)"
  ! grep -qF "$internal" <<<"$exported" || fail "$library exports $internal symbols"
done
echo "check_exports: $(wc -l <<<"$exported") exported symbols, all public API ($c_exported of them the C API)"
