// SPQR's erasure code: a byte string spread over 32-byte chunks so that any
// large enough set of chunks, whichever arrived, rebuilds it.
//
// A message of L bytes (L even) is read as L/2 big-endian elements of
// GF(2^16). Element i is the value at x = i / 16 of polynomial i % 16, so
// each of the 16 polynomials is fixed by the points x = 0, 1, ... it holds
// (a polynomial holding no point is zero). Chunk k carries the 16
// polynomials' values at x = k, big-endian. Chunks below L / 32 are the
// message's own bytes; later ones are parity. docs/spqr.md (section 1.2)
// has the whole layout and how SPQR uses it.
//
// The decoder keeps, per polynomial, the points that can still help, sorted
// by x (at most twice the polynomial's size), so what a peer sends cannot
// make it grow without bound. A second point at an x it already holds is
// dropped. Sizes are limited to kMaxEncodedSize, well above SPQR's largest
// (1152 bytes), which bounds every interpolation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "cliquet/bytes.hpp"

namespace cliquet::protocol::spqr {

inline constexpr std::size_t kChunkDataSize = 32;
inline constexpr std::size_t kCodePolynomials = kChunkDataSize / 2;
inline constexpr std::size_t kMaxEncodedSize = 2048;

struct Chunk {
    std::uint16_t index = 0;
    std::array<std::uint8_t, kChunkDataSize> data{};
};

// How many points polynomial `polynomial` holds for a message of `size`
// bytes.
constexpr std::size_t points_in_polynomial(std::size_t size, std::size_t polynomial) noexcept {
    const std::size_t elements = size / 2;
    return elements / kCodePolynomials + (polynomial < elements % kCodePolynomials ? 1 : 0);
}

class ErasureEncoder {
public:
    // Error(invalid_argument) unless the size is even and at most
    // kMaxEncodedSize.
    explicit ErasureEncoder(ByteView message);
    // An encoder that has already sent `counter` chunks, as restored from
    // storage (which keeps message() and counter()).
    ErasureEncoder(ByteView message, std::uint32_t counter) : ErasureEncoder(message) { counter_ = counter; }

    // The message being sent.
    Bytes message() const;

    // The chunk at `index`.
    Chunk chunk_at(std::uint16_t index) const;
    // The chunk at the counter (taken mod 2^16), then the counter moves on
    // (mod 2^32), as SPQR sends one chunk per message.
    Chunk next_chunk();

    std::uint32_t counter() const noexcept { return counter_; }

private:
    using Coefficients = std::array<std::vector<std::uint16_t>, kCodePolynomials>;
    // Whether the chunk at `index` is only the message's own values.
    bool systematic(std::uint16_t index) const noexcept;
    Coefficients interpolated() const;
    Chunk chunk_from(std::uint16_t index, const Coefficients* coefficients) const;

    using Values = std::array<std::vector<std::uint16_t>, kCodePolynomials>;
    const Values& polynomial_values() const noexcept { return *values_; }

    std::size_t size_;
    std::uint32_t counter_ = 0;
    // Both are fixed once made and public (every chunk goes on the wire), so
    // copies of an encoder share them: SPQR copies its state on every
    // message, and a copy then allocates nothing here.
    // Per polynomial: its values at x = 0, 1, ...
    std::shared_ptr<const Values> values_;
    // Its coefficients, lowest degree first: interpolated only once a parity
    // chunk is sent (a restored encoder that stays within the message's own
    // chunks never pays for it).
    std::shared_ptr<const Coefficients> coefficients_;
};

class ErasureDecoder {
public:
    struct Point {
        std::uint16_t x;
        std::uint16_t y;
    };

    // Error(invalid_argument) unless the size is even and at most
    // kMaxEncodedSize.
    explicit ErasureDecoder(std::size_t message_size);
    // A decoder holding `points`, as restored from storage (which keeps
    // message_size() and points()). Error(storage) unless the size is one
    // the constructor takes and each polynomial's points are sorted by
    // strictly increasing x and no more than add_chunk could have kept.
    static ErasureDecoder restore(std::size_t message_size,
                                  std::array<std::vector<Point>, kCodePolynomials> points);

    // Takes what the chunk adds. Any chunk is acceptable: a useless or
    // repeated one changes nothing.
    void add_chunk(const Chunk& chunk);
    // Whether every polynomial holds enough points to rebuild the message.
    bool has_enough() const noexcept;
    // The message, once has_enough().
    std::optional<Bytes> decoded() const;

    std::size_t message_size() const noexcept { return size_; }
    // The points held for one polynomial, sorted by x.
    std::span<const Point> points(std::size_t polynomial) const { return points_.at(polynomial); }

private:
    std::size_t size_;
    std::array<std::vector<Point>, kCodePolynomials> points_;
};

}  // namespace cliquet::protocol::spqr
