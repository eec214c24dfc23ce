/// @file
/// Where a message goes: one device of one account.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "cliquet/export.hpp"

namespace cliquet {

/// libsignal's ProtocolAddress: an account name (a service id such as an ACI
/// UUID string, or any name the application uses) and a device id.
struct CLIQUET_EXPORT ProtocolAddress {
    std::string name;              ///< The account: a service id string or an application's name.
    std::uint32_t device_id = 0;  ///< The device of that account.

    /// "name.device", as libsignal prints addresses.
    [[nodiscard]] std::string to_string() const { return name + "." + std::to_string(device_id); }

    /// Compared and ordered by name, then device id (so addresses can key a std::map).
    ///@{
    friend bool operator==(const ProtocolAddress&, const ProtocolAddress&) = default;
    friend std::strong_ordering operator<=>(const ProtocolAddress&, const ProtocolAddress&) = default;
    ///@}
};

}  // namespace cliquet
