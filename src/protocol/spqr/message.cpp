#include "protocol/spqr/message.hpp"

#include <algorithm>

#include "cliquet/error.hpp"

namespace cliquet::protocol::spqr {
namespace {

constexpr std::size_t kMaxVarintSize = 10;
constexpr std::uint8_t kLastType = static_cast<std::uint8_t>(PayloadType::ciphertext2);

void put_varint(Bytes& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

[[noreturn]] void malformed(const char* what) {
    throw Error(ErrorCode::invalid_message, std::string("SPQR message: ") + what);
}

// Reads the varint at `at`: up to 10 bytes, bits past 64 dropped, as
// SPQR's reader does.
std::uint64_t take_varint(ByteView bytes, std::size_t& at) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kMaxVarintSize && at + i < bytes.size(); ++i) {
        const std::uint8_t byte = bytes[at + i];
        value |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
        if ((byte & 0x80) == 0) {
            at += i + 1;
            return value;
        }
    }
    malformed("truncated or overlong varint");
}

}  // namespace

Bytes encode_message(const Message& message) {
    if (message.epoch == 0) throw Error(ErrorCode::invalid_argument, "SPQR message: epoch 0");
    Bytes out;
    out.reserve(1 + 10 + 5 + 1 + 3 + kChunkDataSize);
    out.push_back(kMessageVersion);
    put_varint(out, message.epoch);
    put_varint(out, message.index);
    out.push_back(static_cast<std::uint8_t>(message.type));
    if (carries_chunk(message.type)) {
        put_varint(out, message.chunk.index);
        out.insert(out.end(), message.chunk.data.begin(), message.chunk.data.end());
    }
    return out;
}

Message decode_message(ByteView bytes) {
    if (message_version(bytes) != kMessageVersion) malformed("not version 1");
    std::size_t at = 1;
    Message message;
    message.epoch = take_varint(bytes, at);
    if (message.epoch == 0) malformed("epoch 0");
    const std::uint64_t index = take_varint(bytes, at);
    if (index > UINT32_MAX) malformed("key index out of range");
    message.index = static_cast<std::uint32_t>(index);
    if (at >= bytes.size()) malformed("no payload type");
    if (bytes[at] > kLastType) malformed("unknown payload type");
    message.type = static_cast<PayloadType>(bytes[at]);
    ++at;
    if (carries_chunk(message.type)) {
        const std::uint64_t chunk_index = take_varint(bytes, at);
        if (chunk_index > UINT16_MAX) malformed("chunk index out of range");
        if (bytes.size() - at < kChunkDataSize) malformed("truncated chunk");
        message.chunk.index = static_cast<std::uint16_t>(chunk_index);
        std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), kChunkDataSize, message.chunk.data.begin());
    }
    return message;
}

}  // namespace cliquet::protocol::spqr
