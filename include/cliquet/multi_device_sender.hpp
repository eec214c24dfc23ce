/// @file
/// Sending to accounts with several devices, as Signal does (the Sesame
/// model): one plaintext encrypted once per device, to every device of the
/// recipient and to this account's own other devices, and the device lists
/// kept in step with what the server says they are.
///
/// An account's linked devices share the account's identity key pair; each
/// device has its own device id, registration id, pre-keys and sessions. So a
/// session is per device, while trust is per account: a device whose
/// identity key is not its account's is refused rather than sent to (a server
/// that adds a device of its own to someone's account must not get to read
/// what is sent to them).
///
/// @code
///   MultiDeviceSender sender(store, my_address);
///   const AccountDevices bob{bob_aci, {1, 2}}, me{my_aci, {1, 2, 3}};
///   const AccountDevices to[] = {bob, me};
///   MultiDeviceMessage out = sender.encrypt(to, plaintext);
///   // send out.messages; the server answers that a device is missing or gone:
///   DeviceListUpdate update = sender.apply(bob, {.missing = {bob_bundle_3}, .extra = {2}});
///   out = sender.encrypt(to, plaintext);  // again, for the devices it left out
/// @endcode
///
/// Each device's state changes on its own and all-or-nothing: a device that
/// fails (an untrusted identity, a forged bundle, a store that fails) is
/// reported, its state is as before, and the other devices' results stand.
/// seal() is the exception for the store: it writes every device's step in
/// one unit once all envelopes are sealed, so a store that fails that unit
/// fails the whole call.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/export.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/pre_keys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet/session.hpp"
#include "cliquet/store.hpp"

namespace cliquet {

/// One account and its devices, as its server lists them.
struct CLIQUET_EXPORT AccountDevices {
    std::string account;                    ///< the name in the account's addresses (for Signal, its service id string)
    std::vector<std::uint32_t> device_ids;  ///< every device it has; this device itself is skipped when listed
};

/// One device's copy of a message.
struct CLIQUET_EXPORT DeviceMessage {
    ProtocolAddress address;        ///< the device it is for
    std::uint32_t registration_id;  ///< the device's registration id, from its session, for the server to check
    CiphertextType type;            ///< the session message's type (pre_key or whisper), sealed or not
    Bytes bytes;                    ///< the session message, or the sealed sender (version 1) envelope around it
};

/// A device whose step failed, and why. Its state is as it was before.
struct CLIQUET_EXPORT DeviceFailure {
    ProtocolAddress address;  ///< the device
    ErrorCode code;           ///< the error's code
    std::string message;      ///< the error's message
};

/// What MultiDeviceSender::encrypt and MultiDeviceSender::seal produce.
struct CLIQUET_EXPORT MultiDeviceMessage {
    std::vector<DeviceMessage> messages;            ///< one per device with a session, in the order listed
    std::vector<ProtocolAddress> missing_sessions;  ///< listed devices without a session: fetch their bundles
    std::vector<DeviceFailure> failures;            ///< devices whose encryption failed
};

/// A server's answer to a send with an out-of-date device list, for one
/// account (Signal's "mismatched devices" and "stale devices" answers), with
/// the bundles of the missing devices fetched.
struct CLIQUET_EXPORT DeviceListCorrection {
    std::vector<PreKeyBundle> missing{};   ///< bundles of devices the send left out; each bundle's device_id names its device
    std::vector<std::uint32_t> extra{};    ///< devices the account no longer has
    std::vector<std::uint32_t> stale{};    ///< devices whose registration id changed (reinstalled since the session started)
};

/// A device whose session was archived because the server called it stale.
struct CLIQUET_EXPORT StaleDevice {
    ProtocolAddress address;                       ///< the device
    std::optional<std::uint32_t> registration_id;  ///< the registration id its session had; nullopt if it had none
};

/// What MultiDeviceSender::apply changed.
struct CLIQUET_EXPORT DeviceListUpdate {
    std::vector<ProtocolAddress> started;   ///< sessions started from the missing devices' bundles
    std::vector<ProtocolAddress> archived;  ///< sessions of extra devices, archived
    std::vector<StaleDevice> stale;         ///< sessions of stale devices, archived: fetch their bundles and apply them as missing
    std::vector<DeviceFailure> failures;    ///< devices whose step failed (a bundle refused, a store that failed)
};

/// Encrypts for every device of the accounts it is given, and applies the
/// server's corrections of their device lists, on behalf of one device.
class CLIQUET_EXPORT MultiDeviceSender {
public:
    /// `store` must outlive the sender. `local` is this device's address;
    /// its name is this account's. `options` apply to the sessions `apply`
    /// starts.
    MultiDeviceSender(ProtocolStore& store, ProtocolAddress local, SessionOptions options = {})
        : store_(store), local_(std::move(local)), options_(options) {}

    /// Encrypts `plaintext` with the session of every listed device that has
    /// one (see SessionCipher::encrypt), and lists the devices that have none.
    /// Checked before anything changes, as Error(invalid_argument): an
    /// account listed twice or a device id listed twice; sessions of one
    /// account with different identity keys, or a session with a device of
    /// this account whose identity key is not this device's (the message
    /// names the account).
    [[nodiscard]] MultiDeviceMessage encrypt(std::span<const AccountDevices> accounts, ByteView plaintext,
                                             RandomSource& random = system_random());

    /// encrypt, then each device's message sealed (sealed sender version 1)
    /// to its identity key, with `sender` (which must name this device,
    /// else Error(invalid_argument)), `hint` and `group_id`. A device whose
    /// identity key the store lacks fails with no_session. The sessions'
    /// steps are written only once every envelope is sealed, all in one
    /// unit: a failure before that (an allocation, say) writes nothing, even
    /// on a store that cannot roll back, and a store that fails the unit
    /// fails the call with its error, no envelope returned.
    [[nodiscard]] MultiDeviceMessage seal(std::span<const AccountDevices> accounts, const SenderCertificate& sender,
                                          ByteView plaintext, ContentHint hint = ContentHint::none,
                                          const std::optional<Bytes>& group_id = std::nullopt,
                                          RandomSource& random = system_random());

    /// Applies the server's correction of the devices of `sent_to` (the list
    /// the send used): archives the sessions of extra devices, archives those
    /// of stale devices and reports the registration ids they had, and starts
    /// sessions from the missing devices' bundles (process_pre_key_bundle). A
    /// bundle whose identity key is not the account's is refused with
    /// untrusted_identity: for this account, this device's own key; for
    /// another, the key its other devices' sessions and recorded identities
    /// agree on (excluding the extra and stale ones), or with none known, the
    /// first bundle's.
    /// Checked before anything changes, as Error(invalid_argument): a device
    /// id listed twice, or in two of the lists; this device itself in a list;
    /// the account's known devices holding different identity keys.
    [[nodiscard]] DeviceListUpdate apply(const AccountDevices& sent_to, const DeviceListCorrection& correction,
                                         RandomSource& random = system_random());

    /// This device's own address.
    const ProtocolAddress& local_address() const noexcept { return local_; }

private:
    struct Sealing;
    [[nodiscard]] MultiDeviceMessage encrypt_all(std::span<const AccountDevices> accounts, ByteView plaintext,
                                                 RandomSource& random, const Sealing* sealing);

    ProtocolStore& store_;
    ProtocolAddress local_;
    SessionOptions options_;
};

}  // namespace cliquet
