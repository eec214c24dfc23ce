// The SPQR message libsignal carries in SignalMessage.pq_ratchet (field 5):
//
//   0x01 | epoch (varint) | key index (varint) | payload type | [chunk]
//   chunk = chunk index (varint) | 32 bytes
//
// Varints are little-endian base 128, at most 10 bytes. docs/spqr.md
// (section 1.7) has the payload types. Parsing follows SPQR's own reader
// exactly, so that cliquet accepts what libsignal accepts: it takes
// non-minimal varints and ignores bytes after the message. Anything it
// cannot read is Error(invalid_message).
#pragma once

#include <cstdint>
#include <optional>

#include "cliquet/bytes.hpp"
#include "protocol/spqr/erasure.hpp"

namespace cliquet::protocol::spqr {

enum class PayloadType : std::uint8_t {
    none = 0,
    header = 1,              // a chunk of the KEM header and its MAC
    key = 2,                 // a chunk of the key vector
    key_and_ct1_ack = 3,     // a chunk of the key vector; ciphertext 1 arrived
    ct1_ack = 4,             // ciphertext 1 arrived (no chunk)
    ciphertext1 = 5,         // a chunk of ciphertext 1
    ciphertext2 = 6,         // a chunk of ciphertext 2 and its MAC
};

// Whether messages of this type carry a chunk.
constexpr bool carries_chunk(PayloadType type) noexcept {
    return type != PayloadType::none && type != PayloadType::ct1_ack;
}

struct Message {
    std::uint64_t epoch = 1;  // never 0
    std::uint32_t index = 0;  // the chain key used, in chain epoch `epoch - 1`; 0: none
    PayloadType type = PayloadType::none;
    Chunk chunk;              // meaningful when carries_chunk(type)
};

inline constexpr std::uint8_t kMessageVersion = 1;

// The version a pq_ratchet field speaks: 0 when empty, else its first byte.
constexpr std::uint8_t message_version(ByteView bytes) noexcept { return bytes.empty() ? 0 : bytes[0]; }

// Error(invalid_argument) for epoch 0.
Bytes encode_message(const Message& message);
// Error(invalid_message) unless `bytes` is a version-1 message.
Message decode_message(ByteView bytes);

}  // namespace cliquet::protocol::spqr
