// SHA-2 digests and HMAC-SHA256 / HKDF-SHA256, on OpenSSL's SHA-256 (which
// uses the SHA extensions where the processor has them).
//
// HMAC and HKDF sit on the message hot path: every message costs two HMACs
// for the chain step, an HKDF for its keys and an HMAC for its MAC, each
// under a key used once or twice. Through EVP_MAC and EVP_KDF each of those
// allocates provider contexts and costs 0.6 to 1 µs; here a keyed HMAC is
// two SHA-256 states held by value (the key's inner and outer pad blocks
// already compressed), copied per MAC without any allocation, and HKDF is
// RFC 5869's extract-then-expand over that HMAC. bench/README.md has the
// figures, and why OpenSSL's SHA-256 rather than libsodium's.
#pragma once

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "cliquet/bytes.hpp"

#ifdef OPENSSL_NO_DEPRECATED_3_0
#error "cliquet needs OpenSSL's SHA256_CTX API (an OpenSSL built without no-deprecated, as distributions ship it)"
#endif

namespace cliquet::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

Sha256Digest sha256(ByteView data);
Sha512Digest sha512(std::initializer_list<ByteView> parts);

// HMAC-SHA256 (RFC 2104) keyed once, usable for many messages. A MAC of a
// message of n bytes costs ceil((n + 9) / 64) + 1 compression functions;
// keying costs two more. The keyed state is secret and wiped on destruction.
class HmacSha256 {
public:
    explicit HmacSha256(ByteView key) noexcept;
    HmacSha256(const HmacSha256& other) noexcept = default;
    HmacSha256& operator=(const HmacSha256&) = delete;
    ~HmacSha256();

    // The MAC of the concatenation of `parts`.
    Sha256Digest mac(std::initializer_list<ByteView> parts) const noexcept;
    Sha256Digest mac(ByteView data) const noexcept { return mac({data}); }
    // The same into `out`, for a MAC that is itself a key and must land in
    // a SecretArray rather than in a temporary.
    void mac_into(std::span<std::uint8_t, 32> out, std::initializer_list<ByteView> parts) const noexcept;

private:
    SHA256_CTX inner_;  // after compressing key ^ ipad
    SHA256_CTX outer_;  // after compressing key ^ opad
};

Sha256Digest hmac_sha256(ByteView key, ByteView data);

// HKDF-SHA256 (RFC 5869) into `out`, at most 255 * 32 bytes; longer is
// Error(invalid_argument). An empty salt is HashLen zero bytes, as the RFC
// says.
void hkdf_sha256(std::span<std::uint8_t> out, ByteView ikm, ByteView salt, ByteView info);

// HKDF's expand step alone, from a pseudorandom key already keyed as an
// HMAC (for callers that expand several outputs from one PRK).
void hkdf_sha256_expand(std::span<std::uint8_t> out, const HmacSha256& prk, ByteView info);

}  // namespace cliquet::crypto
