#include "cliquet/random.hpp"

#include <sodium.h>

#include <cstdlib>

namespace cliquet {
namespace {

class SystemRandom final : public RandomSource {
public:
    SystemRandom() noexcept {
        // sodium_init is idempotent and thread-safe; it fails only when the
        // system has no entropy source, where no key may ever be made.
        if (sodium_init() < 0) std::abort();
    }
    void fill(std::span<std::uint8_t> out) override {
        // libsodium declares the pointer non-null, which an empty span's is not.
        if (!out.empty()) randombytes_buf(out.data(), out.size());
    }
};

}  // namespace

RandomSource& system_random() noexcept {
    static SystemRandom source;
    return source;
}

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
