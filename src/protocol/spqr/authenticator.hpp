// SPQR's authenticator: MACs over the KEM header and the full ciphertext,
// keyed by a root that every epoch's secret is mixed into, so the braid's
// messages are bound to the session's auth key and to all earlier epochs.
// docs/spqr.md (section 1.4) has the labels.
#pragma once

#include <array>
#include <cstdint>

#include "cliquet/bytes.hpp"

namespace cliquet::protocol::spqr {

class Authenticator {
public:
    using Mac = std::array<std::uint8_t, 32>;

    // The authenticator of epoch `epoch` (SPQR starts at 1) from the
    // session's SPQR auth key.
    Authenticator(ByteView auth_key, std::uint64_t epoch);
    // From stored keys, as `root_key()` and `mac_key()` gave them.
    Authenticator(const SecretArray<32>& root_key, const SecretArray<32>& mac_key) noexcept
        : root_key_(root_key), mac_key_(mac_key) {}

    // Mixes `secret` (an epoch's agreed secret) in for `epoch`.
    void update(std::uint64_t epoch, ByteView secret);

    Mac header_mac(std::uint64_t epoch, ByteView header) const;
    // The MAC over ciphertext1 || ciphertext2.
    Mac ciphertext_mac(std::uint64_t epoch, ByteView ciphertext) const;
    // Error(invalid_message) unless `mac` (any length) is the right MAC;
    // compared in constant time.
    void verify_header(std::uint64_t epoch, ByteView header, ByteView mac) const;
    void verify_ciphertext(std::uint64_t epoch, ByteView ciphertext, ByteView mac) const;

    const SecretArray<32>& root_key() const noexcept { return root_key_; }
    const SecretArray<32>& mac_key() const noexcept { return mac_key_; }

private:
    SecretArray<32> root_key_;
    SecretArray<32> mac_key_;
};

}  // namespace cliquet::protocol::spqr
