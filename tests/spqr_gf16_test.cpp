// GF(2^16) as SPQR's erasure code uses it: known products under the
// modulus x^16 + x^12 + x^3 + x + 1, the field laws, and inverses of every
// non-zero element, held against a slow shift-and-reduce reference.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/gf16.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;

namespace {

// Multiplication one bit of b at a time, reducing a as it is shifted: a
// different route to the same product.
std::uint16_t slow_mul(std::uint16_t a, std::uint16_t b) {
    std::uint32_t shifted = a;
    std::uint16_t result = 0;
    for (int bit = 0; bit < 16; ++bit) {
        if ((b >> bit) & 1) result = static_cast<std::uint16_t>(result ^ shifted);
        shifted <<= 1;
        if (shifted & 0x10000) shifted ^= kGf16Modulus;
    }
    return result;
}

std::uint16_t power(std::uint16_t a, std::uint32_t exponent) {
    std::uint16_t result = 1;
    while (exponent != 0) {
        if (exponent & 1) result = gf16_mul(result, a);
        a = gf16_mul(a, a);
        exponent >>= 1;
    }
    return result;
}

}  // namespace

TEST_CASE("GF(2^16) products reduce by x^16 + x^12 + x^3 + x + 1", "[spqr][gf16]") {
    // x^15 * x = x^16 = x^12 + x^3 + x + 1.
    CHECK(gf16_mul(0x8000, 0x0002) == 0x100B);
    // x^8 * x^8 likewise.
    CHECK(gf16_mul(0x0100, 0x0100) == 0x100B);
    CHECK(gf16_mul(0x1234, 0x5678) == 0x6324);
    CHECK(gf16_mul(0xFFFF, 0xFFFF) == 0x0733);
    CHECK(gf16_mul(0x00F5, 0x0093) == 0x74CF);
    CHECK(gf16_mul(0xABCD, 0x0001) == 0xABCD);
    CHECK(gf16_mul(0xABCD, 0x0000) == 0x0000);
    CHECK(gf16_add(0x1234, 0x5678) == 0x444C);
    static_assert(gf16_mul(0x8000, 0x0002) == 0x100B, "usable in constant expressions");
}

TEST_CASE("GF(2^16): x generates the multiplicative group", "[spqr][gf16]") {
    // 65535 = 3 * 5 * 17 * 257: x has order 65535 exactly.
    CHECK(power(2, 65535) == 1);
    for (std::uint32_t prime : {3u, 5u, 17u, 257u}) CHECK(power(2, 65535 / prime) != 1);
}

TEST_CASE("GF(2^16) multiplication matches a shift-and-reduce reference", "[spqr][gf16]") {
    const std::array<std::uint8_t, 32> seed{0x5a};
    DeterministicRandom random(seed);
    for (int i = 0; i < 20000; ++i) {
        std::array<std::uint8_t, 6> bytes{};
        random.fill(bytes);
        const auto a = static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
        const auto b = static_cast<std::uint16_t>(bytes[2] << 8 | bytes[3]);
        const auto c = static_cast<std::uint16_t>(bytes[4] << 8 | bytes[5]);
        REQUIRE(gf16_mul(a, b) == slow_mul(a, b));
        REQUIRE(gf16_mul(a, b) == gf16_mul(b, a));
        REQUIRE(gf16_mul(a, gf16_add(b, c)) == gf16_add(gf16_mul(a, b), gf16_mul(a, c)));
        REQUIRE(gf16_mul(gf16_mul(a, b), c) == gf16_mul(a, gf16_mul(b, c)));
    }
}

TEST_CASE("GF(2^16): every non-zero element has its inverse", "[spqr][gf16]") {
    CHECK(gf16_inverse(0) == 0);
    CHECK(gf16_inverse(1) == 1);
    CHECK(gf16_inverse(0x1234) == 0x2CE9);
    bool all = true;
    for (std::uint32_t a = 1; a <= 0xFFFF; ++a) {
        const auto element = static_cast<std::uint16_t>(a);
        all = all && gf16_mul(element, gf16_inverse(element)) == 1;
    }
    CHECK(all);
    CHECK(gf16_div(gf16_mul(0x1234, 0x5678), 0x5678) == 0x1234);
}
