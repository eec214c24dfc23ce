// The arithmetic under the KEMs, held against slow definitions: exact
// rational rounding for compression, schoolbook multiplication in
// Z_q[X]/(X^256 + 1) for the NTT, and the definition of CBD_2.
#include <catch2/catch.hpp>
#include <random>

#include "crypto/kem/encoding.hpp"
#include "crypto/kem/poly.hpp"
#include "crypto/kem/sampling.hpp"

using namespace cliquet::crypto::kem;

namespace {

int mod_q(long long x) {
    const long long r = x % kQ;
    return static_cast<int>(r < 0 ? r + kQ : r);
}

Poly random_poly(std::mt19937& rng, int bound) {
    std::uniform_int_distribution<int> dist(-bound + 1, bound - 1);
    Poly f;
    for (auto& x : f.c) x = static_cast<std::int16_t>(dist(rng));
    return f;
}

// a * b in Z_q[X]/(X^256 + 1), coefficients in [0, q).
std::array<int, kN> schoolbook_product(const Poly& a, const Poly& b) {
    std::array<long long, kN> acc{};
    for (int i = 0; i < kN; ++i)
        for (int j = 0; j < kN; ++j) {
            const long long term = static_cast<long long>(a.c[static_cast<std::size_t>(i)]) * b.c[static_cast<std::size_t>(j)];
            if (i + j < kN) acc[static_cast<std::size_t>(i + j)] += term;
            else acc[static_cast<std::size_t>(i + j - kN)] -= term;  // X^256 = -1
        }
    std::array<int, kN> out{};
    for (std::size_t i = 0; i < kN; ++i) out[i] = mod_q(acc[i]);
    return out;
}

}  // namespace

TEST_CASE("compress and decompress round exactly as FIPS 203 defines", "[kem][arithmetic]") {
    for (unsigned d = 1; d <= 11; ++d) {
        for (unsigned x = 0; x < static_cast<unsigned>(kQ); ++x) {
            // round(2^d x / q) with halves up, by exact integer arithmetic.
            const unsigned expected = ((2u * (x << d) + kQ) / (2u * kQ)) % (1u << d);
            REQUIRE(compress(static_cast<std::uint16_t>(x), d) == expected);
        }
        for (unsigned y = 0; y < (1u << d); ++y) {
            const unsigned expected = (2u * kQ * y + (1u << d)) / (2u << d);
            REQUIRE(decompress(static_cast<std::uint16_t>(y), d) == static_cast<std::int16_t>(expected));
        }
    }
}

TEST_CASE("NTT multiplication equals schoolbook multiplication mod X^256 + 1", "[kem][arithmetic]") {
    std::mt19937 rng(20240813);
    for (int trial = 0; trial < 20; ++trial) {
        // The extreme operand ranges the KEMs use: one side up to 2^12 - 1
        // (raw ByteDecode_12 output), the other any value below q.
        const Poly a = random_poly(rng, 4096);
        const Poly b = random_poly(rng, kQ);
        PolyVec va, vb;
        va.p[0] = a;
        vb.p[0] = b;
        ntt(vb.p[0]);
        // a stays in the "NTT domain" as given: transform a copy reduced below q.
        Poly a_reduced = a;
        reduce(a_reduced);
        va.p[0] = a_reduced;
        ntt(va.p[0]);
        Poly product;
        multiply_accumulate(product, va, vb, 1);
        inverse_ntt(product);
        const auto expected = schoolbook_product(a, b);
        for (std::size_t i = 0; i < kN; ++i) REQUIRE(mod_q(product.c[i]) == expected[i]);
    }
}

TEST_CASE("multiply_accumulate tolerates four unreduced 12-bit operands", "[kem][arithmetic]") {
    // t-hat decoded from a Kyber key may hold values up to 4095 unreduced.
    PolyVec a, b;
    for (std::size_t v = 0; v < kMaxRank; ++v) {
        a.p[v].c.fill(4095);
        b.p[v].c.fill(static_cast<std::int16_t>(-(kQ - 1) / 2));
    }
    Poly out;
    multiply_accumulate(out, a, b, kMaxRank);
    // Pair i: c0 = sum(a0 b0 + a1 b1 gamma_i), c1 = sum(2 a b), times R^-1.
    const long long ab = 4095LL * (-(kQ - 1) / 2);
    for (std::size_t i = 0; i < kN / 2; ++i) {
        const long long gamma = detail::pow_mod_q(17, 2 * detail::bit_reverse7(static_cast<unsigned>(i)) + 1);
        const long long r_inverse = detail::pow_mod_q(kR % kQ, kQ - 2);
        REQUIRE(mod_q(out.c[2 * i]) == mod_q(mod_q(4 * (ab + ab % kQ * gamma)) * r_inverse));
        REQUIRE(mod_q(out.c[2 * i + 1]) == mod_q(mod_q(8 * ab) * r_inverse));
        REQUIRE(out.c[2 * i] > -kQ);
        REQUIRE(out.c[2 * i] < kQ);
    }
}

TEST_CASE("CBD_2 counts ones in bit pairs", "[kem][arithmetic]") {
    std::array<std::uint8_t, 128> bytes{};
    std::mt19937 rng(7);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    Poly f;
    centered_binomial_eta2(f, bytes);
    for (std::size_t i = 0; i < kN; ++i) {
        auto bit = [&](std::size_t k) { return (bytes[k / 8] >> (k % 8)) & 1; };
        const int expected = bit(4 * i) + bit(4 * i + 1) - bit(4 * i + 2) - bit(4 * i + 3);
        REQUIRE(f.c[i] == expected);
    }
}

TEST_CASE("ByteEncode_12 and ByteDecode_12 are inverse on canonical values", "[kem][arithmetic]") {
    std::mt19937 rng(12);
    Poly f = random_poly(rng, kQ);
    std::array<std::uint8_t, kPolyBytes> bytes{};
    encode12(bytes, f);
    Poly g;
    decode12(g, bytes);
    REQUIRE(has_only_canonical_coefficients(g));
    for (std::size_t i = 0; i < kN; ++i) REQUIRE(g.c[i] == mod_q(f.c[i]));

    bytes[0] = 0xff;
    bytes[1] |= 0x0f;  // first coefficient 4095
    decode12(g, bytes);
    REQUIRE(g.c[0] == 4095);
    REQUIRE_FALSE(has_only_canonical_coefficients(g));
}

TEST_CASE("messages survive Decompress_1 then Compress_1 with noise up to q/4", "[kem][arithmetic]") {
    std::array<std::uint8_t, 32> message{}, decoded{};
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(37 * i + 5);
    Poly f;
    message_to_poly(f, message);
    for (std::size_t i = 0; i < kN; ++i) f.c[i] = static_cast<std::int16_t>(f.c[i] + (i % 2 ? 831 : -831));
    poly_to_message(decoded, f);
    REQUIRE(decoded == message);
}
