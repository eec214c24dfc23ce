// What the SPQR unit tests share: keys and randomness made from one byte,
// so that a test names its inputs by that byte, and the check that an
// action is refused with a given error code.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>

#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/chain.hpp"

namespace cliquet::spqr_test {

// A 32-byte key whose every byte is `fill`.
inline protocol::spqr::Key32 filled_key(std::uint8_t fill) {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(fill);
    return protocol::spqr::Key32(bytes);
}

// A reproducible random source seeded with 32 bytes of `fill`.
inline DeterministicRandom seeded_random(std::uint8_t fill) {
    std::array<std::uint8_t, 32> seed{};
    seed.fill(fill);
    return DeterministicRandom(seed);
}

inline void expect_refused(ErrorCode code, const std::function<void()>& action) {
    try {
        action();
        FAIL("not refused");
    } catch (const Error& e) {
        CHECK(e.code() == code);
    }
}

}  // namespace cliquet::spqr_test
