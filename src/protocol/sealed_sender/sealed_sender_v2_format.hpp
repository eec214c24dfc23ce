// The flat (non-protobuf) layout of sealed sender version 2 messages.
//
//   sent:      version ‖ varint count ‖ count × entry ‖ E (32) ‖ payload
//     entry:   service id (17) ‖ devices ‖ C (32) ‖ AT (16)
//              or service id (17) ‖ 0x00 for an excluded account
//              (version 0x22: a bare ACI UUID (16) in place of the service id)
//     device:  device id (1) ‖ big-endian u16: has-more bit ‖ unused bit ‖ 14-bit registration id
//   received:  0x22 ‖ C (32) ‖ AT (16) ‖ E (32) ‖ payload
#pragma once

#include <cstddef>
#include <cstdint>

#include "cliquet/service_id.hpp"

namespace cliquet::protocol::v2 {

inline constexpr std::size_t kMessageKeySize = 32;    // C
inline constexpr std::size_t kAuthTagSize = 16;       // AT
inline constexpr std::size_t kEphemeralKeySize = 32;  // E, bare u-coordinate
inline constexpr std::size_t kKeyMaterialSize = kMessageKeySize + kAuthTagSize;
inline constexpr std::size_t kReceivedHeaderSize = 1 + kKeyMaterialSize + kEphemeralKeySize;

inline constexpr std::uint16_t kHasMoreDevicesBit = 0x8000;
inline constexpr std::uint16_t kMaxRegistrationId = 0x3fff;
inline constexpr std::uint8_t kNoDevicesMarker = 0;  // never a device id

// The smallest possible entry, an excluded account: its id and 0x00. Version
// 0x22 names accounts by bare 16-byte UUID, 0x23 by 17-byte service id.
inline constexpr std::size_t kUuidSize = 16;
inline constexpr std::size_t kMinUuidEntrySize = kUuidSize + 1;
inline constexpr std::size_t kMinServiceIdEntrySize = kServiceIdFixedWidthSize + 1;

}  // namespace cliquet::protocol::v2
