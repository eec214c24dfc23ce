#include "crypto/kem/sampling.hpp"

#include <array>
#include <vector>

namespace cliquet::crypto::kem {
namespace {

// SHAKE128's rate: the XOF yields its output in blocks of this size.
constexpr std::size_t kShake128Rate = 168;
// Three blocks give 336 candidates for 256 coefficients, each accepted with
// probability q / 2^12: enough about 99.3% of the time. Otherwise the stream
// is read again, twice as long each time (a longer read has the shorter as
// its prefix, so the coefficients already taken stay valid).
constexpr std::size_t kFirstRead = 3 * kShake128Rate;

}  // namespace

void sample_matrix_entry(Poly& out, Hashing& hashing, std::span<const std::uint8_t, 32> seed_rho,
                         std::uint8_t i, std::uint8_t j) {
    const std::array<std::uint8_t, 2> indices{j, i};
    hashing.shake128_absorb({seed_rho, indices});

    std::array<std::uint8_t, kFirstRead> first{};
    std::vector<std::uint8_t> longer;
    std::span<const std::uint8_t> stream = first;
    hashing.shake128_squeeze_prefix(first);

    std::size_t filled = 0;
    std::size_t offset = 0;
    while (filled < kN) {
        if (offset + 3 > stream.size()) {
            longer.resize(2 * stream.size());
            hashing.shake128_squeeze_prefix(longer);
            stream = longer;
        }
        // Two 12-bit candidates from three bytes (Algorithm 7, lines 5-6).
        const std::uint16_t b0 = stream[offset], b1 = stream[offset + 1], b2 = stream[offset + 2];
        offset += 3;
        const auto d1 = static_cast<std::uint16_t>(b0 | ((b1 & 0x0fu) << 8));
        const auto d2 = static_cast<std::uint16_t>((b1 >> 4) | (b2 << 4));
        if (d1 < kQ) out.c[filled++] = static_cast<std::int16_t>(d1);
        if (d2 < kQ && filled < kN) out.c[filled++] = static_cast<std::int16_t>(d2);
    }
}

void centered_binomial_eta2(Poly& out, std::span<const std::uint8_t, 128> bytes) {
    // Eight coefficients per 32-bit word: adding the word's even bits to its
    // odd bits leaves, in each 2-bit field, the number of ones of a bit pair.
    for (std::size_t w = 0; w < kN / 8; ++w) {
        const std::uint32_t word = static_cast<std::uint32_t>(bytes[4 * w]) |
                                   static_cast<std::uint32_t>(bytes[4 * w + 1]) << 8 |
                                   static_cast<std::uint32_t>(bytes[4 * w + 2]) << 16 |
                                   static_cast<std::uint32_t>(bytes[4 * w + 3]) << 24;
        const std::uint32_t pair_sums = (word & 0x55555555u) + ((word >> 1) & 0x55555555u);
        for (std::size_t k = 0; k < 8; ++k) {
            const auto plus = static_cast<std::int16_t>((pair_sums >> (4 * k)) & 3u);
            const auto minus = static_cast<std::int16_t>((pair_sums >> (4 * k + 2)) & 3u);
            out.c[8 * w + k] = static_cast<std::int16_t>(plus - minus);
        }
    }
}

void sample_noise(Poly& out, Hashing& hashing, std::span<const std::uint8_t, 32> seed_sigma,
                  std::uint8_t nonce) {
    std::array<std::uint8_t, 128> prf_output;
    const std::array<std::uint8_t, 1> nonce_byte{nonce};
    hashing.shake256(prf_output, {seed_sigma, nonce_byte});
    centered_binomial_eta2(out, prf_output);
    secure_wipe(prf_output.data(), prf_output.size());
}

}  // namespace cliquet::crypto::kem
