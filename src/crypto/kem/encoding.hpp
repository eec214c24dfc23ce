// Byte encodings and compression (FIPS 203 §4.2.1, Algorithms 5 and 6, and
// the Compress_d / Decompress_d maps of equations 4.7 and 4.8).
//
// Everything that can touch a secret (encode12 of the secret vector,
// compress of the decrypted message, decompress of a message bit) works
// without branches or secret-dependent indices; divisions by q are done as
// multiplications by a precomputed reciprocal.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/kem/poly.hpp"

namespace cliquet::crypto::kem {

inline constexpr std::size_t kPolyBytes = 384;  // ByteEncode_12 of one polynomial

// ByteEncode_12 of a polynomial with coefficients in (-q, q), written as
// their representatives in [0, q).
void encode12(std::span<std::uint8_t, kPolyBytes> out, const Poly& f);
// ByteDecode_12 without reduction: coefficients are the raw 12-bit values in
// [0, 4096). Arithmetic mod q treats them correctly either way; ML-KEM's
// modulus check is has_only_canonical_coefficients().
void decode12(Poly& out, std::span<const std::uint8_t, kPolyBytes> bytes);
// True when every coefficient is below q (FIPS 203 §7.2, modulus check).
bool has_only_canonical_coefficients(const Poly& f);

namespace detail {
// floor(n / q) = (n * kReciprocal) >> kReciprocalShift for every n < 2^23,
// which covers 2^11 (q - 1) + q / 2, the largest numerator compress() forms
// (exhaustively checked by the unit tests).
inline constexpr unsigned kReciprocalShift = 48;
inline constexpr std::uint64_t kReciprocal = ((std::uint64_t{1} << kReciprocalShift) + kQ - 1) / kQ;
}  // namespace detail

// Compress_d(x) = round(2^d x / q) mod 2^d for x in [0, q), 1 <= d <= 11.
inline std::uint16_t compress(std::uint16_t x, unsigned d) {
    // round(2^d x / q) = floor((2^d x + (q - 1) / 2) / q) since q is odd.
    const std::uint64_t numerator = (static_cast<std::uint64_t>(x) << d) + kQ / 2;
    const std::uint64_t quotient = (numerator * detail::kReciprocal) >> detail::kReciprocalShift;
    return static_cast<std::uint16_t>(quotient & ((1u << d) - 1));
}

// Decompress_d(y) = round(q y / 2^d).
inline std::int16_t decompress(std::uint16_t y, unsigned d) {
    return static_cast<std::int16_t>((static_cast<std::uint32_t>(y) * kQ + (1u << (d - 1))) >> d);
}

// ByteEncode_d(Compress_d(f)) into 32 d bytes; f's coefficients in (-q, q).
void compress_encode(std::span<std::uint8_t> out, const Poly& f, unsigned d);
// Decompress_d(ByteDecode_d(bytes)) from 32 d bytes.
void decode_decompress(Poly& out, std::span<const std::uint8_t> bytes, unsigned d);

// Decompress_1(ByteDecode_1(m)): each message bit becomes 0 or (q+1)/2.
void message_to_poly(Poly& out, std::span<const std::uint8_t, 32> message);
// ByteEncode_1(Compress_1(f)); f's coefficients in (-q, q).
void poly_to_message(std::span<std::uint8_t, 32> message, const Poly& f);

}  // namespace cliquet::crypto::kem
