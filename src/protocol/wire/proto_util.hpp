// Bounded parsing and wiping helpers around generated protobuf-lite code.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"

namespace cliquet::protocol {

// Whether field `number` is one of Message's own: some encoding of it (a
// varint 0 or 1, an empty length-delimited value, a zero fixed32 or fixed64)
// parses into the field rather than among the unknown fields. protobuf-lite
// keeps no descriptors, so the message is asked.
template <typename Message>
bool is_known_field(std::uint32_t number) {
    using google::protobuf::internal::WireFormatLite;
    const std::pair<WireFormatLite::WireType, std::string> probes[] = {
        {WireFormatLite::WIRETYPE_VARINT, std::string(1, '\0')},
        {WireFormatLite::WIRETYPE_VARINT, std::string(1, '\1')},
        {WireFormatLite::WIRETYPE_LENGTH_DELIMITED, std::string(1, '\0')},
        {WireFormatLite::WIRETYPE_FIXED32, std::string(4, '\0')},
        {WireFormatLite::WIRETYPE_FIXED64, std::string(8, '\0')},
    };
    for (const auto& [wire_type, value] : probes) {
        std::string bytes;
        for (std::uint64_t tag = (std::uint64_t{number} << 3) | wire_type; ; tag >>= 7) {
            bytes.push_back(static_cast<char>((tag & 0x7f) | (tag >= 0x80 ? 0x80 : 0)));
            if (tag < 0x80) break;
        }
        bytes += value;
        Message probe;
        if (probe.ParsePartialFromString(bytes) && probe.unknown_fields().empty()) return true;
    }
    return false;
}

// Whether the unknown fields of a Message (as protobuf-lite keeps them, in
// wire format) hold one of its own fields under another wire type.
template <typename Message>
bool has_misencoded_field(const std::string& unknown) {
    using google::protobuf::internal::WireFormatLite;
    if (unknown.empty()) return false;
    google::protobuf::io::CodedInputStream input(reinterpret_cast<const std::uint8_t*>(unknown.data()),
                                                 static_cast<int>(unknown.size()));
    for (std::uint32_t tag = input.ReadTag(); tag != 0; tag = input.ReadTag()) {
        if (is_known_field<Message>(static_cast<std::uint32_t>(WireFormatLite::GetTagFieldNumber(tag)))) return true;
        if (!WireFormatLite::SkipField(&input, tag)) return true;  // protobuf wrote these bytes: never
    }
    return false;
}

// Whether `message` holds one of its own fields under another wire type:
// protobuf-lite sets such a field aside among the unknown ones, prost (which
// libsignal parses with) refuses the message, and so must cliquet. Every
// message that comes off the wire is proto2, whose lite code shows its
// unknown fields; proto3 lite code (storage records, cliquet's SPQR state)
// keeps them out of reach, and those are not checked.
template <typename Message>
bool has_misencoded_field(const Message& message) {
    if constexpr (requires { message.unknown_fields(); }) {
        return has_misencoded_field<Message>(message.unknown_fields());
    } else {
        return false;
    }
}

// Reads the varint at `at` (moving past it); nullopt if it runs out or
// past ten bytes.
inline std::optional<std::uint64_t> read_raw_varint(ByteView bytes, std::size_t& at) noexcept {
    std::uint64_t value = 0;
    for (unsigned shift = 0; at < bytes.size() && shift < 70; shift += 7) {
        const std::uint8_t byte = bytes[at++];
        value |= shift < 64 ? std::uint64_t{byte & 0x7fu} << shift : 0;
        if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;
}

// Walks the top-level fields of `bytes`, which protobuf-lite has already
// parsed, as prost reads them, calling visit(number, wire_type, value) for
// each (the value without its length prefix). Returns false on a field key
// past 32 bits, which prost refuses and protobuf-lite cuts down to 32 bits;
// a group (no Signal message has one) ends the walk.
template <typename Visit>
bool walk_raw_fields(ByteView bytes, Visit&& visit) {
    std::size_t at = 0;
    while (at < bytes.size()) {
        const auto key = read_raw_varint(bytes, at);
        if (!key) return true;  // protobuf judged these bytes already
        if (*key > 0xffffffffu) return false;
        const auto wire_type = static_cast<unsigned>(*key & 7);
        const auto number = static_cast<std::uint32_t>(*key >> 3);
        std::size_t start = at;
        switch (wire_type) {
            case 0:
                if (!read_raw_varint(bytes, at)) return true;
                break;
            case 1: at += 8; break;
            case 5: at += 4; break;
            case 2: {
                const auto length = read_raw_varint(bytes, at);
                if (!length || *length > bytes.size() - at) return true;
                start = at;
                at += static_cast<std::size_t>(*length);
                break;
            }
            default: return true;
        }
        if (at > bytes.size()) return true;
        visit(number, wire_type, bytes.subspan(start, at - start));
    }
    return true;
}

// Parses untrusted bytes into `message`; anything protobuf refuses, or input
// larger than `max_size`, is Error(code, what + " ...").
template <typename Message>
void parse_proto(Message& message, ByteView bytes, ErrorCode code, const char* what,
                 std::size_t max_size = 1u << 26) {
    if (bytes.size() > max_size || bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw Error(code, std::string(what) + " is too large");
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw Error(code, std::string(what) + " is not a valid protobuf");
    if (!walk_raw_fields(bytes, [](std::uint32_t, unsigned, ByteView) {}))
        throw Error(code, std::string(what) + " holds a field key past 32 bits");
    if (has_misencoded_field(message))
        throw Error(code, std::string(what) + " holds a field under the wrong wire type");
}

inline ByteView view_of(const std::string& field) noexcept { return as_bytes(field); }

inline void wipe_string(std::string& field) noexcept { secure_wipe(field.data(), field.size()); }

// Wipes a protobuf string field through `mutable_field` (its mutable_
// accessor), unless it is empty: protobuf answers that accessor by
// allocating a string for a field still at its default, and wiping runs in
// destructors, where an allocation that fails cannot be reported.
template <typename MutableField>
void wipe_field(const std::string& value, MutableField&& mutable_field) noexcept {
    if (!value.empty()) wipe_string(*mutable_field());
}

}  // namespace cliquet::protocol
