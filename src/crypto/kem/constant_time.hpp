// Branch-free helpers for the decapsulation's final choice. Values public by
// design (the matrix seed rho) are marked with crypto::declassify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/declassify.hpp"

namespace cliquet::crypto::kem {

// Hides a value from the optimizer so that a mask computed from a secret is
// not turned back into a branch.
inline std::uint8_t value_barrier(std::uint8_t x) {
    __asm__ volatile("" : "+r"(x));
    return x;
}

// 0xff when a and b are equal, 0x00 otherwise, in time depending only on
// the length (which is public).
inline std::uint8_t equal_mask(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    std::uint8_t difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) difference = static_cast<std::uint8_t>(difference | (a[i] ^ b[i]));
    // (difference - 1) has bit 8 set exactly when difference is 0.
    const auto is_zero = static_cast<std::uint8_t>((static_cast<std::uint32_t>(difference) - 1u) >> 8 & 1u);
    return value_barrier(static_cast<std::uint8_t>(-is_zero));
}

// out = mask ? if_set : if_clear, byte by byte, for a mask of 0x00 or 0xff.
inline void select_bytes(std::span<std::uint8_t> out, std::uint8_t mask, std::span<const std::uint8_t> if_set,
                         std::span<const std::uint8_t> if_clear) {
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::uint8_t>((if_set[i] & mask) | (if_clear[i] & static_cast<std::uint8_t>(~mask)));
}

}  // namespace cliquet::crypto::kem
