#include "crypto/kem/encoding.hpp"

namespace cliquet::crypto::kem {
namespace {

// Packs 256 values of `bits` bits each, little-endian (ByteEncode_d).
template <typename Value>
void pack_bits(std::span<std::uint8_t> out, unsigned bits, Value value) {
    std::uint64_t buffer = 0;
    unsigned held = 0;
    std::size_t written = 0;
    for (std::size_t i = 0; i < kN; ++i) {
        buffer |= static_cast<std::uint64_t>(value(i)) << held;
        held += bits;
        while (held >= 8) {
            out[written++] = static_cast<std::uint8_t>(buffer);
            buffer >>= 8;
            held -= 8;
        }
    }
}

// Unpacks 256 values of `bits` bits each (ByteDecode_d before any reduction).
template <typename Sink>
void unpack_bits(std::span<const std::uint8_t> bytes, unsigned bits, Sink sink) {
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    std::uint64_t buffer = 0;
    unsigned held = 0;
    std::size_t read = 0;
    for (std::size_t i = 0; i < kN; ++i) {
        while (held < bits) {
            buffer |= static_cast<std::uint64_t>(bytes[read++]) << held;
            held += 8;
        }
        sink(i, static_cast<std::uint16_t>(buffer & mask));
        buffer >>= bits;
        held -= bits;
    }
}

}  // namespace

void encode12(std::span<std::uint8_t, kPolyBytes> out, const Poly& f) {
    for (std::size_t i = 0; i < kN / 2; ++i) {
        const std::uint16_t a = to_canonical(f.c[2 * i]);
        const std::uint16_t b = to_canonical(f.c[2 * i + 1]);
        out[3 * i] = static_cast<std::uint8_t>(a);
        out[3 * i + 1] = static_cast<std::uint8_t>((a >> 8) | (b << 4));
        out[3 * i + 2] = static_cast<std::uint8_t>(b >> 4);
    }
}

void decode12(Poly& out, std::span<const std::uint8_t, kPolyBytes> bytes) {
    for (std::size_t i = 0; i < kN / 2; ++i) {
        const std::uint16_t b0 = bytes[3 * i], b1 = bytes[3 * i + 1], b2 = bytes[3 * i + 2];
        out.c[2 * i] = static_cast<std::int16_t>(b0 | ((b1 & 0x0fu) << 8));
        out.c[2 * i + 1] = static_cast<std::int16_t>((b1 >> 4) | (b2 << 4));
    }
}

bool has_only_canonical_coefficients(const Poly& f) {
    // Applied to public encapsulation keys only, so it may stop early.
    for (std::int16_t x : f.c)
        if (x < 0 || x >= kQ) return false;
    return true;
}

void compress_encode(std::span<std::uint8_t> out, const Poly& f, unsigned d) {
    pack_bits(out, d, [&](std::size_t i) { return compress(to_canonical(f.c[i]), d); });
}

void decode_decompress(Poly& out, std::span<const std::uint8_t> bytes, unsigned d) {
    unpack_bits(bytes, d, [&](std::size_t i, std::uint16_t y) { out.c[i] = decompress(y, d); });
}

void message_to_poly(Poly& out, std::span<const std::uint8_t, 32> message) {
    for (std::size_t i = 0; i < kN; ++i) {
        const auto bit = static_cast<std::int16_t>((message[i / 8] >> (i % 8)) & 1u);
        out.c[i] = static_cast<std::int16_t>(-bit & ((kQ + 1) / 2));
    }
}

void poly_to_message(std::span<std::uint8_t, 32> message, const Poly& f) {
    for (std::size_t byte = 0; byte < 32; ++byte) {
        std::uint8_t bits = 0;
        for (std::size_t k = 0; k < 8; ++k)
            bits = static_cast<std::uint8_t>(bits | compress(to_canonical(f.c[8 * byte + k]), 1) << k);
        message[byte] = bits;
    }
}

}  // namespace cliquet::crypto::kem
