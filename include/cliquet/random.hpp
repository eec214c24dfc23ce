/// @file
/// Sources of randomness.
///
/// Every operation that needs fresh randomness takes it from a RandomSource.
/// Applications use the system source (libsodium's CSPRNG, the default
/// everywhere). Tests and the test-vector generator replay transcripts from
/// a seeded source of their own, which is not part of the library.
#pragma once

#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"

namespace cliquet {

/// Where randomness comes from.
class CLIQUET_EXPORT RandomSource {
public:
    virtual ~RandomSource() = default;
    /// Fills `out` with random bytes.
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// The operating system's CSPRNG through libsodium. Thread-safe.
CLIQUET_EXPORT RandomSource& system_random() noexcept;

}  // namespace cliquet
