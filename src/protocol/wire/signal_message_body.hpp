// The body of a SignalMessage as every sender writes it, read without
// protobuf: the decrypt hot path then allocates no protobuf strings.
//
// It accepts only a subset of what protobuf-lite accepts: fields 1 to 4 once
// each, in order, field 5 at most once after them, nothing else, every tag
// one byte, every varint minimally encoded, the ratchet key 33 bytes. On that
// subset protobuf yields exactly these values; anything outside it returns
// nullopt and SignalMessage::deserialize falls back to protobuf, so what is
// refused, and why, is protobuf's decision alone
// (tests/signal_message_reader_test.cpp and fuzz_signal_message check both).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "cliquet/bytes.hpp"

namespace cliquet::protocol {

struct SignalMessageBody {
    ByteView ratchet_key;
    std::uint32_t counter = 0;
    std::uint32_t previous_counter = 0;
    ByteView ciphertext;
    ByteView pq_ratchet;  // empty when field 5 is absent (or empty, which protobuf reads alike)
};

namespace detail {

// A minimally encoded varint of at most 5 bytes whose value fits in 32 bits;
// false (leaving `at` anywhere) for anything else.
inline bool read_minimal_varint32(ByteView body, std::size_t& at, std::uint32_t& value) noexcept {
    std::uint64_t result = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        if (at >= body.size()) return false;
        const std::uint8_t byte = body[at++];
        result |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            if (i > 0 && byte == 0) return false;  // not minimal
            if (result > 0xffffffffu) return false;
            value = static_cast<std::uint32_t>(result);
            return true;
        }
    }
    return false;
}

inline bool read_length_delimited(ByteView body, std::size_t& at, ByteView& field) noexcept {
    std::uint32_t length = 0;
    if (!read_minimal_varint32(body, at, length)) return false;
    if (length > body.size() - at) return false;
    field = body.subspan(at, length);
    at += length;
    return true;
}

}  // namespace detail

inline std::optional<SignalMessageBody> read_canonical_signal_message_body(ByteView body) noexcept {
    constexpr std::uint8_t kRatchetKeyTag = (1 << 3) | 2;
    constexpr std::uint8_t kCounterTag = (2 << 3) | 0;
    constexpr std::uint8_t kPreviousCounterTag = (3 << 3) | 0;
    constexpr std::uint8_t kCiphertextTag = (4 << 3) | 2;
    constexpr std::uint8_t kPqRatchetTag = (5 << 3) | 2;
    constexpr std::size_t kRatchetKeySize = 33;

    SignalMessageBody out;
    std::size_t at = 0;
    if (body.size() < 2 + kRatchetKeySize || body[0] != kRatchetKeyTag || body[1] != kRatchetKeySize)
        return std::nullopt;
    out.ratchet_key = body.subspan(2, kRatchetKeySize);
    at = 2 + kRatchetKeySize;
    if (at >= body.size() || body[at++] != kCounterTag) return std::nullopt;
    if (!detail::read_minimal_varint32(body, at, out.counter)) return std::nullopt;
    if (at >= body.size() || body[at++] != kPreviousCounterTag) return std::nullopt;
    if (!detail::read_minimal_varint32(body, at, out.previous_counter)) return std::nullopt;
    if (at >= body.size() || body[at++] != kCiphertextTag) return std::nullopt;
    if (!detail::read_length_delimited(body, at, out.ciphertext)) return std::nullopt;
    if (at < body.size()) {
        if (body[at++] != kPqRatchetTag) return std::nullopt;
        if (!detail::read_length_delimited(body, at, out.pq_ratchet)) return std::nullopt;
    }
    if (at != body.size()) return std::nullopt;
    return out;
}

}  // namespace cliquet::protocol
