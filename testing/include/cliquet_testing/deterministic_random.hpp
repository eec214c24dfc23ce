// A reproducible RandomSource for tests, fuzzers and cliquet-vectors only.
//
// Not part of the library: it lives in the cliquet_testing static library,
// which is neither installed nor linked into libcliquet, so an application
// cannot hand it to a key generator by mistake.
#pragma once

#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"

namespace cliquet {

// A reproducible stream: ChaCha20 keyed by a 32-byte seed, advanced by a
// counter on every call, so that a whole transcript can be replayed byte for
// byte from a published seed.
class DeterministicRandom final : public RandomSource {
public:
    // The stream that `seed` names.
    explicit DeterministicRandom(std::span<const std::uint8_t, 32> seed) noexcept;
    // Neither copyable nor movable: a copy would hand out again every byte the
    // original hands out next, which means the same keys twice. Functions
    // may still return one by value (guaranteed copy elision).
    DeterministicRandom(const DeterministicRandom&) = delete;
    DeterministicRandom& operator=(const DeterministicRandom&) = delete;
    ~DeterministicRandom() override = default;

    // The next `out.size()` bytes of the stream.
    void fill(std::span<std::uint8_t> out) override;

private:
    SecretArray<32> seed_;
    std::uint64_t counter_ = 0;
};

}  // namespace cliquet
