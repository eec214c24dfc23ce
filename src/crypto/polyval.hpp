// POLYVAL (RFC 8452 §3): the universal hash of AES-GCM-SIV, over GF(2^128)
// defined by x^128 + x^127 + x^126 + x^121 + 1, blocks read little-endian.
//
// Constant time on both paths: a carry-less multiply instruction (PCLMULQDQ)
// when the processor has one, otherwise integer multiplies on operands whose
// bits are spread out so that carries cannot reach the bits kept. There are
// no table lookups and no branches on the key or the data.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"

namespace cliquet::crypto {

enum class PolyvalBackend {
    automatic,  // the carry-less multiply instruction if present, else portable
    portable,   // masked integer multiplies, any processor
    clmul,      // PCLMULQDQ; Error(unsupported) where the processor lacks it
};

// True when this processor (x86-64 with PCLMULQDQ) can run PolyvalBackend::clmul.
bool polyval_clmul_available() noexcept;

class Polyval {
public:
    static constexpr std::size_t kBlockSize = 16;

    explicit Polyval(std::span<const std::uint8_t, 16> key, PolyvalBackend backend = PolyvalBackend::automatic);
    Polyval(const Polyval&) = delete;
    Polyval& operator=(const Polyval&) = delete;
    ~Polyval();

    // Absorbs `data` as whole blocks, the last one zero-padded if partial: the
    // padding RFC 8452 applies separately to the associated data and to the
    // plaintext.
    void update_padded(ByteView data) noexcept;

    // The hash of everything absorbed so far.
    SecretArray<16> digest() const noexcept;

private:
    void absorb(std::span<const std::uint8_t, 16> block) noexcept;

    std::uint64_t h_[2];    // the key, as two little-endian halves
    std::uint64_t acc_[2];  // the running value S_j
    bool use_clmul_;        // fixed at construction, independent of secrets
};

}  // namespace cliquet::crypto
