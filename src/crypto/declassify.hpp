// Declaring values public for the constant-time checks.
//
// The checks in tests/ct run cliquet under valgrind memcheck with secrets
// marked undefined: any branch or index on a value derived from them is
// reported. Some derived values are public by design (a public key, the
// verdict that a peer's point has small order); declassify() tells memcheck
// so at the one place where that is true. Outside valgrind it costs a few
// no-op instructions.
#pragma once

#include <cstddef>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define CLIQUET_HAVE_MEMCHECK 1
#endif
#endif

namespace cliquet::crypto {

inline void declassify([[maybe_unused]] const void* data, [[maybe_unused]] std::size_t size) noexcept {
#ifdef CLIQUET_HAVE_MEMCHECK
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    (void)VALGRIND_MAKE_MEM_DEFINED(data, size);
#pragma GCC diagnostic pop
#endif
}

// The value itself, declassified.
template <typename T>
T declassified(T value) noexcept {
    declassify(&value, sizeof value);
    return value;
}

}  // namespace cliquet::crypto
