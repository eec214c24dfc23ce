// SHA-2 digests and HMAC-SHA256 / HKDF-SHA256, through OpenSSL (which uses
// the SHA extensions where the processor has them).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "cliquet/bytes.hpp"
#include "crypto/openssl.hpp"

namespace cliquet::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

Sha256Digest sha256(ByteView data);
Sha512Digest sha512(std::initializer_list<ByteView> parts);

// HMAC-SHA256 keyed once, usable for many messages: the keyed state is kept
// and copied for each computation, so a hot key costs two compression
// functions per short message instead of four.
class HmacSha256 {
public:
    explicit HmacSha256(ByteView key);
    HmacSha256(const HmacSha256& other);
    HmacSha256& operator=(const HmacSha256&) = delete;
    ~HmacSha256() = default;

    // The MAC of the concatenation of `parts`.
    Sha256Digest mac(std::initializer_list<ByteView> parts) const;
    Sha256Digest mac(ByteView data) const { return mac({data}); }

private:
    openssl::MacCtx keyed_;
};

Sha256Digest hmac_sha256(ByteView key, ByteView data);

// HKDF-SHA256 (RFC 5869) into `out`, at most 255 * 32 bytes.
void hkdf_sha256(std::span<std::uint8_t> out, ByteView ikm, ByteView salt, ByteView info);

}  // namespace cliquet::crypto
