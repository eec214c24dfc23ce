/// @file
/// Sources of randomness.
///
/// Every operation that needs fresh randomness takes it from a RandomSource.
/// Applications use the system source (libsodium's CSPRNG, the default
/// everywhere); test-vector generators pass a DeterministicRandom so that a
/// whole transcript can be replayed byte for byte from a published seed.
#pragma once

#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"

namespace cliquet {

/// Where randomness comes from.
class RandomSource {
public:
    virtual ~RandomSource() = default;
    /// Fills `out` with random bytes.
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// The operating system's CSPRNG through libsodium. Thread-safe.
RandomSource& system_random() noexcept;

/// A reproducible stream: ChaCha20 keyed by a 32-byte seed, advanced by a
/// counter on every call. Never use it outside tests and vector generation.
class DeterministicRandom final : public RandomSource {
public:
    /// The stream that `seed` names.
    explicit DeterministicRandom(std::span<const std::uint8_t, 32> seed) noexcept;
    /// The next `out.size()` bytes of the stream.
    void fill(std::span<std::uint8_t> out) override;

private:
    SecretArray<32> seed_;
    std::uint64_t counter_ = 0;
};

}  // namespace cliquet
