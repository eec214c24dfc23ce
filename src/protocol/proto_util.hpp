// Bounded parsing and wiping helpers around generated protobuf-lite code.
#pragma once

#include <climits>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"

namespace cliquet::protocol {

// Parses untrusted bytes into `message`; anything protobuf refuses, or input
// larger than `max_size`, is Error(code, what + " ...").
template <typename Message>
void parse_proto(Message& message, ByteView bytes, ErrorCode code, const char* what,
                 std::size_t max_size = 1u << 26) {
    if (bytes.size() > max_size || bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw Error(code, std::string(what) + " is too large");
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw Error(code, std::string(what) + " is not a valid protobuf");
}

inline ByteView view_of(const std::string& field) noexcept { return as_bytes(field); }

inline void wipe_string(std::string& field) noexcept { secure_wipe(field.data(), field.size()); }

}  // namespace cliquet::protocol
