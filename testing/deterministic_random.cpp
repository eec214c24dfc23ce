#include "cliquet_testing/deterministic_random.hpp"

#include <sodium.h>

namespace cliquet {

DeterministicRandom::DeterministicRandom(std::span<const std::uint8_t, 32> seed) noexcept : seed_(seed) {
    (void)system_random();  // makes sure libsodium is initialised
}

void DeterministicRandom::fill(std::span<std::uint8_t> out) {
    // Call number i fills `out` with ChaCha20-IETF(key = seed, nonce = i as 12
    // little-endian bytes), from block 0: easy to reproduce in any language.
    std::uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
    for (int i = 0; i < 8; ++i) nonce[i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
    ++counter_;
    // An empty request still uses up its call number, so that the stream
    // stays the same; libsodium must not see its null pointer.
    if (out.empty()) return;
    crypto_stream_chacha20_ietf(out.data(), out.size(), nonce, seed_.data());
}

}  // namespace cliquet
