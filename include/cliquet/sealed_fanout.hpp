/// @file
/// The server's step of sealed sender version 2: splitting a
/// multi-recipient "sent" message into each recipient's "received" message.
///
/// The server learns the recipients (it must deliver to them) but nothing
/// about the sender or the content. Parsing is all it does; it holds no keys.
#pragma once

#include <cstdint>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/service_id.hpp"

namespace cliquet {

/// A parsed multi-recipient "sent" message, as the server sees it.
class CLIQUET_EXPORT SealedSenderV2SentMessage {
public:
    /// One device of a recipient.
    struct Device {
        std::uint32_t device_id;        ///< 1 to 127
        std::uint32_t registration_id;  ///< 14 bits
    };
    /// One recipient account and its devices.
    struct Recipient {
        ServiceId service_id;  ///< the account
        std::vector<Device> devices;  ///< never empty
        std::size_t key_material_offset;  ///< where its C ‖ AT lie in the message
    };

    /// Refuses (Error(invalid_message)) an unknown version, a truncated or
    /// malformed entry, a device id of 128 or more, an account both excluded
    /// and included or excluded twice. An account listed twice with devices
    /// gets all of them, under the key material of its first entry (the
    /// server checks device lists against the account anyway).
    [[nodiscard]] static SealedSenderV2SentMessage parse(ByteView sent);

    [[nodiscard]] std::uint8_t version() const noexcept { return version_; }  ///< The version byte: 0x22 or 0x23.
    /// In order of first appearance.
    const std::vector<Recipient>& recipients() const noexcept { return recipients_; }
    /// The accounts the sender deliberately left out.
    const std::vector<ServiceId>& excluded() const noexcept { return excluded_; }

    /// The message every device of `recipient` (one of recipients()) receives.
    [[nodiscard]] Bytes received_message(const Recipient& recipient) const;

private:
    SealedSenderV2SentMessage() = default;

    Bytes message_;
    std::uint8_t version_ = 0;
    std::vector<Recipient> recipients_;
    std::vector<ServiceId> excluded_;
    std::size_t shared_offset_ = 0;  ///< E ‖ payload
};

}  // namespace cliquet
