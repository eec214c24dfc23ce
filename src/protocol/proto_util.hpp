// Bounded parsing and wiping helpers around generated protobuf-lite code.
#pragma once

#include <climits>
#include <cstdint>
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

// Parses untrusted bytes into `message`; anything protobuf refuses, or input
// larger than `max_size`, is Error(code, what + " ...").
template <typename Message>
void parse_proto(Message& message, ByteView bytes, ErrorCode code, const char* what,
                 std::size_t max_size = 1u << 26) {
    if (bytes.size() > max_size || bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw Error(code, std::string(what) + " is too large");
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw Error(code, std::string(what) + " is not a valid protobuf");
    if (has_misencoded_field(message))
        throw Error(code, std::string(what) + " holds a field under the wrong wire type");
}

inline ByteView view_of(const std::string& field) noexcept { return as_bytes(field); }

inline void wipe_string(std::string& field) noexcept { secure_wipe(field.data(), field.size()); }

}  // namespace cliquet::protocol
