// AES-256-GCM-SIV (RFC 8452): nonce-misuse-resistant authenticated
// encryption, as libsignal uses it. OpenSSL 3.0 does not offer it, so it is
// built here from OpenSSL's AES block function and cliquet's own POLYVAL.
#pragma once

#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "crypto/polyval.hpp"

namespace cliquet::crypto {

using AesGcmSivKey = std::span<const std::uint8_t, 32>;
using AesGcmSivNonce = std::span<const std::uint8_t, 12>;

inline constexpr std::size_t kAesGcmSivTagSize = 16;
// RFC 8452 §6: plaintext and associated data are at most 2^36 bytes.
inline constexpr std::uint64_t kAesGcmSivMaxPlaintext = std::uint64_t{1} << 36;
inline constexpr std::uint64_t kAesGcmSivMaxAad = std::uint64_t{1} << 36;

// Returns ciphertext || 16-byte tag. Inputs over the RFC's limits are
// Error(invalid_argument).
Bytes aes256_gcm_siv_encrypt(AesGcmSivKey key, AesGcmSivNonce nonce, ByteView plaintext, ByteView aad,
                             PolyvalBackend backend = PolyvalBackend::automatic);

// Takes ciphertext || tag. A tag that does not match (compared in constant
// time), input shorter than a tag or over the limits is
// Error(invalid_message); no plaintext is released then.
Bytes aes256_gcm_siv_decrypt(AesGcmSivKey key, AesGcmSivNonce nonce, ByteView ciphertext_and_tag, ByteView aad,
                             PolyvalBackend backend = PolyvalBackend::automatic);

}  // namespace cliquet::crypto
