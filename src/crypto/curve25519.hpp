// X25519 and XEdDSA over libsodium, exactly as libsignal computes them.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"

namespace cliquet::crypto {

using X25519Scalar = SecretArray<32>;
using X25519Point = std::array<std::uint8_t, 32>;
using XeddsaSignature = std::array<std::uint8_t, 64>;

// Clears the three low bits and the top bit and sets bit 254 (RFC 7748).
void clamp_x25519_scalar(std::span<std::uint8_t, 32> scalar) noexcept;

X25519Point x25519_base(const X25519Scalar& scalar);

// Throws Error(invalid_key) when the result is all zeros, i.e. when `point`
// has small order: such a key contributes nothing to a shared secret.
SecretArray<32> x25519(const X25519Scalar& scalar, std::span<const std::uint8_t, 32> point);

// XEdDSA as libsignal signs: the Edwards public key's sign bit travels in the
// top bit of the signature, and the nonce hash is keyed by 64 random bytes.
// `scalar` must already be clamped.
XeddsaSignature xeddsa_sign(const X25519Scalar& scalar, ByteView message, RandomSource& random);

// The 64 random bytes made explicit, for known-answer tests.
XeddsaSignature xeddsa_sign_with_nonce(const X25519Scalar& scalar, ByteView message,
                                       std::span<const std::uint8_t, 64> random_bytes);

// Whether `montgomery_u` is a canonical encoding (below 2^255 - 19, top bit
// clear) of a point in the prime-order subgroup, as libsignal (0.74 and
// later) requires of a session's incoming base key. Public input, variable
// time. The big-number arithmetic allocates: running out of memory is
// std::bad_alloc, never a verdict.
[[nodiscard]] bool is_canonical_public_key(std::span<const std::uint8_t, 32> montgomery_u);

// Whether `signature` is an XEdDSA signature of `message` by the key
// `montgomery_u`. As above, std::bad_alloc propagates.
[[nodiscard]] bool xeddsa_verify(std::span<const std::uint8_t, 32> montgomery_u, ByteView message,
                                 std::span<const std::uint8_t> signature);

}  // namespace cliquet::crypto
