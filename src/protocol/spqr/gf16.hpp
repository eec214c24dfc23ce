// Arithmetic in GF(2^16), the field SPQR's erasure code works in.
//
// An element is a 16-bit value whose bit i is the coefficient of x^i.
// Addition is XOR; multiplication is carry-less multiplication reduced
// modulo x^16 + x^12 + x^3 + x + 1 (0x1100B), the polynomial SPQR fixes.
// That polynomial is primitive, so x (the value 2) generates all 65535
// non-zero elements.
//
// Every operation runs in time independent of its operands: no branch and
// no table index depends on a value. (What SPQR encodes is public, but the
// code keeps to the library's rule rather than argue each caller's case.)
#pragma once

#include <cstdint>

namespace cliquet::protocol::spqr {

inline constexpr std::uint32_t kGf16Modulus = 0x1100B;

constexpr std::uint16_t gf16_add(std::uint16_t a, std::uint16_t b) noexcept {
    return static_cast<std::uint16_t>(a ^ b);
}

// a * b in GF(2^16).
constexpr std::uint16_t gf16_mul(std::uint16_t a, std::uint16_t b) noexcept {
    std::uint32_t product = 0;
    for (unsigned bit = 0; bit < 16; ++bit) {
        const std::uint32_t take = 0u - ((static_cast<std::uint32_t>(b) >> bit) & 1u);
        product ^= (static_cast<std::uint32_t>(a) << bit) & take;
    }
    // Clear bits 30..16 from the top down; each clears one bit and touches
    // only the bits below it.
    for (unsigned bit = 30; bit >= 16; --bit) {
        const std::uint32_t take = 0u - ((product >> bit) & 1u);
        product ^= (kGf16Modulus << (bit - 16)) & take;
    }
    return static_cast<std::uint16_t>(product);
}

// a^-1, computed as a^(2^16 - 2); the inverse of 0 comes out as 0.
constexpr std::uint16_t gf16_inverse(std::uint16_t a) noexcept {
    // 2^16 - 2 is 2^1 + 2^2 + ... + 2^15: multiply a^(2^i) for i = 1..15,
    // a fixed sequence of operations whatever a is.
    std::uint16_t result = 1;
    std::uint16_t power = a;
    for (unsigned i = 1; i < 16; ++i) {
        power = gf16_mul(power, power);  // a^(2^i)
        result = gf16_mul(result, power);
    }
    return result;
}

// a / b. Division by 0 yields 0 (callers never divide by 0: interpolation
// only divides by differences of distinct points).
constexpr std::uint16_t gf16_div(std::uint16_t a, std::uint16_t b) noexcept {
    return gf16_mul(a, gf16_inverse(b));
}

}  // namespace cliquet::protocol::spqr
