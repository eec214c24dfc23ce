// Arithmetic in Z_q, q = 3329, for the module-lattice KEMs.
//
// Coefficients are int16_t. Products go through Montgomery reduction with
// R = 2^16, sums through Barrett reduction: neither divides nor branches, so
// the time taken never depends on a (possibly secret) value.
#pragma once

#include <array>
#include <cstdint>

namespace cliquet::crypto::kem {

inline constexpr int kN = 256;         // coefficients per polynomial (FIPS 203 §2.3)
inline constexpr std::int16_t kQ = 3329;  // the prime modulus (FIPS 203 §2.3)

namespace detail {

constexpr std::int64_t mod_q(std::int64_t a) {
    const std::int64_t r = a % kQ;
    return r < 0 ? r + kQ : r;
}

constexpr std::int64_t pow_mod_q(std::int64_t base, unsigned exponent) {
    std::int64_t result = 1;
    for (unsigned i = 0; i < exponent; ++i) result = mod_q(result * base);
    return result;
}

// The representative of a in (-q/2, q/2].
constexpr std::int16_t centered(std::int64_t a) {
    const std::int64_t r = mod_q(a);
    return static_cast<std::int16_t>(r > kQ / 2 ? r - kQ : r);
}

// q^-1 mod 2^16 by Newton iteration: each step doubles the correct low bits.
constexpr std::int16_t q_inverse_mod_r() {
    std::uint32_t x = 1;
    for (int i = 0; i < 5; ++i) x = (x * (2u - static_cast<std::uint32_t>(kQ) * x)) & 0xffffu;
    return static_cast<std::int16_t>(x);
}

constexpr unsigned bit_reverse7(unsigned i) {
    unsigned r = 0;
    for (int b = 0; b < 7; ++b) r |= ((i >> b) & 1u) << (6 - b);
    return r;
}

}  // namespace detail

inline constexpr std::int16_t kQInv = detail::q_inverse_mod_r();
static_assert(static_cast<std::int32_t>(kQInv) * kQ % 65536 == 1 ||
              static_cast<std::int32_t>(kQInv) * kQ % 65536 == -65535);

inline constexpr std::int64_t kR = 1 << 16;                              // the Montgomery radix
inline constexpr std::int16_t kRModQ = detail::centered(kR);              // R mod q
inline constexpr std::int16_t kR2ModQ = detail::centered(kR * kR);        // R^2 mod q

// For a in (-q 2^15, q 2^15), returns a R^-1 mod q in (-q, q).
inline std::int16_t montgomery_reduce(std::int32_t a) {
    const auto m = static_cast<std::int16_t>(static_cast<std::int16_t>(a) * kQInv);
    return static_cast<std::int16_t>((a - static_cast<std::int32_t>(m) * kQ) >> 16);
}

// a b R^-1 mod q.
inline std::int16_t mont_mul(std::int16_t a, std::int16_t b) {
    return montgomery_reduce(static_cast<std::int32_t>(a) * b);
}

// The representative of a mod q in [-(q-1)/2, (q-1)/2], for any int16_t a.
// The quotient estimate is a rounded multiplication by 2^26 / q.
inline std::int16_t barrett_reduce(std::int16_t a) {
    constexpr std::int32_t v = ((1 << 26) + kQ / 2) / kQ;
    const std::int32_t t = (v * a + (1 << 25)) >> 26;
    return static_cast<std::int16_t>(a - t * kQ);
}

// Maps a representative in (-q, q) to [0, q) with a mask, not a branch.
inline std::uint16_t to_canonical(std::int16_t a) {
    return static_cast<std::uint16_t>(a + ((a >> 15) & kQ));
}

// zeta = 17, the primitive 256th root of unity mod q (FIPS 203 §4.3). The
// NTT uses zeta^BitRev7(i) for i = 1..127, in Montgomery form and centered.
inline constexpr std::array<std::int16_t, 128> kZetasMont = [] {
    std::array<std::int16_t, 128> z{};
    for (unsigned i = 0; i < 128; ++i)
        z[i] = detail::centered(detail::pow_mod_q(17, detail::bit_reverse7(i)) * kR);
    return z;
}();

// The base-case moduli X^2 - gamma_i with gamma_i = zeta^(2 BitRev7(i) + 1)
// (FIPS 203 §4.3.1, Algorithm 11), in Montgomery form and centered.
inline constexpr std::array<std::int16_t, 128> kGammasMont = [] {
    std::array<std::int16_t, 128> g{};
    for (unsigned i = 0; i < 128; ++i)
        g[i] = detail::centered(detail::pow_mod_q(17, 2 * detail::bit_reverse7(i) + 1) * kR);
    return g;
}();

}  // namespace cliquet::crypto::kem
