/// @file
/// The 1:1 ciphertext messages on the wire, as libsignal frames them.
///
/// @code{.unparsed}
///   SignalMessage        version byte ‖ protobuf body ‖ 8-byte MAC
///   PreKeySignalMessage  version byte ‖ protobuf body (which embeds a whole
///                        SignalMessage; it carries no MAC of its own)
/// @endcode
///
/// The version byte is (message version << 4) | sender's current version. The
/// high nibble is what counts: 3 for an X3DH session, 4 for PQXDH. cliquet
/// writes 0x33 and 0x44; it reads any low nibble, since libsignal 0.72 writes
/// 0x34 for its X3DH messages.
///
/// The MAC is HMAC-SHA256 under the message's MAC key over the sender's
/// identity key ‖ the receiver's identity key ‖ the version byte and body,
/// truncated to 8 bytes. The body includes `pq_ratchet` (field 5): a
/// version-4 session's post-quantum ratchet (SPQR) message, empty without it;
/// and, in the first messages of a session, `addresses` (field 6): the
/// sender's and the recipient's service ids and device ids, which bind the
/// message to the one conversation it was made for (libsignal 0.100 and
/// later send and check them; see message_addresses()).
///
/// Parsing checks structure only (Error(invalid_message) for anything
/// malformed); keys and MACs are checked when a session decrypts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/kem.hpp"

namespace cliquet {

/// libsignal's CiphertextMessageType values.
enum class CiphertextType : std::uint8_t { whisper = 2, pre_key = 3, sender_key = 7, plaintext = 8 };

inline constexpr std::size_t kMessageMacSize = 8;  ///< The truncated MAC that ends a SignalMessage.

inline constexpr std::size_t kMessageAddressesSize = 36;  ///< Two service ids of 17 bytes, each with a device byte.
/// The `addresses` field of a SignalMessage: the sender's service id in its
/// fixed-width form and device id (one byte), then the recipient's.
using MessageAddresses = std::array<std::uint8_t, kMessageAddressesSize>;

/// The `addresses` a message from `sender` to `recipient` carries, or
/// nullopt when either cannot be written: a name that is not a service id
/// (an ACI's UUID, or "PNI:" and a UUID), or a device id outside 1 to 255.
/// Such a conversation's messages carry no binding, as with libsignal.
[[nodiscard]] CLIQUET_EXPORT std::optional<MessageAddresses> message_addresses(const ProtocolAddress& sender,
                                                               const ProtocolAddress& recipient);

/// A Double Ratchet message: what a session sends once the peer has answered.
class CLIQUET_EXPORT SignalMessage {
public:
    /// Frames and MACs a message; an empty `pq_ratchet` (the SPQR message) is
    /// left out, and so are absent `addresses`.
    [[nodiscard]] static SignalMessage create(int version, const PublicKey& sender_ratchet_key, std::uint32_t counter,
                                              std::uint32_t previous_counter, ByteView ciphertext,
                                              const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                                              std::span<const std::uint8_t, 32> mac_key, ByteView pq_ratchet = {},
                                              const std::optional<MessageAddresses>& addresses = std::nullopt);
    /// Parses the frame (Error(invalid_message) if malformed); the MAC is not checked here.
    [[nodiscard]] static SignalMessage deserialize(ByteView bytes);

    [[nodiscard]] int message_version() const noexcept { return version_; }  ///< 3 (X3DH) or 4 (PQXDH).
    /// The sender's current ratchet public key.
    const PublicKey& sender_ratchet_key() const noexcept { return sender_ratchet_key_; }
    [[nodiscard]] std::uint32_t counter() const noexcept { return counter_; }  ///< The message's index in its chain.
    /// The length of the sender's previous chain.
    [[nodiscard]] std::uint32_t previous_counter() const noexcept { return previous_counter_; }
    const Bytes& ciphertext() const noexcept { return ciphertext_; }  ///< The AES-256-CBC ciphertext.
    /// The SPQR message the sender attached (empty if none).
    const Bytes& pq_ratchet() const noexcept { return pq_ratchet_; }
    /// The `addresses` field as received: absent, or bytes of any length
    /// (under the MAC; SessionCipher compares them with the conversation's).
    const std::optional<Bytes>& addresses() const noexcept { return addresses_; }
    const Bytes& serialize() const noexcept { return serialized_; }   ///< The whole frame, MAC included.
    /// The whole frame, moved out of a message about to be dropped (saves a copy per message sent).
    [[nodiscard]] Bytes take_serialized() && noexcept { return std::move(serialized_); }

    /// Constant-time check of the trailing MAC.
    [[nodiscard]] bool verify_mac(const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                                  std::span<const std::uint8_t, 32> mac_key) const;

private:
    SignalMessage(int version, PublicKey sender_ratchet_key, std::uint32_t counter, std::uint32_t previous_counter,
                  Bytes ciphertext, Bytes pq_ratchet, std::optional<Bytes> addresses, Bytes serialized);

    int version_;
    PublicKey sender_ratchet_key_;
    std::uint32_t counter_;
    std::uint32_t previous_counter_;
    Bytes ciphertext_;
    Bytes pq_ratchet_;
    std::optional<Bytes> addresses_;
    Bytes serialized_;
};

/// The Kyber part of a version 4 pre-key message.
struct CLIQUET_EXPORT KyberPayload {
    std::uint32_t pre_key_id = 0;  ///< the Kyber pre-key encapsulated to
    Bytes ciphertext;  ///< with its KEM type byte
};

/// The first messages of a session: the handshake's public parts around a
/// SignalMessage, sent until the peer answers.
class CLIQUET_EXPORT PreKeySignalMessage {
public:
    /// Frames a message; the embedded SignalMessage is already MACed.
    [[nodiscard]] static PreKeySignalMessage create(int version, std::uint32_t registration_id,
                                                    std::optional<std::uint32_t> pre_key_id,
                                                    std::uint32_t signed_pre_key_id, std::optional<KyberPayload> kyber,
                                                    const PublicKey& base_key, const IdentityKey& identity_key,
                                                    SignalMessage message);
    /// Besides malformed bytes, refuses a version 4 message without Kyber
    /// fields and a version 3 message with them (Error(invalid_message)).
    [[nodiscard]] static PreKeySignalMessage deserialize(ByteView bytes);

    [[nodiscard]] int message_version() const noexcept { return version_; }  ///< 3 (X3DH) or 4 (PQXDH).
    /// The sender's registration id.
    [[nodiscard]] std::uint32_t registration_id() const noexcept { return registration_id_; }
    /// The one-time pre-key used, if any.
    [[nodiscard]] std::optional<std::uint32_t> pre_key_id() const noexcept { return pre_key_id_; }
    /// The signed pre-key used.
    [[nodiscard]] std::uint32_t signed_pre_key_id() const noexcept { return signed_pre_key_id_; }
    /// The Kyber part: present exactly in version 4.
    const std::optional<KyberPayload>& kyber() const noexcept { return kyber_; }
    const PublicKey& base_key() const noexcept { return base_key_; }  ///< The sender's ephemeral key.
    /// The sender's identity key.
    const IdentityKey& identity_key() const noexcept { return identity_key_; }
    const SignalMessage& message() const noexcept { return message_; }  ///< The first ratchet message.
    const Bytes& serialize() const noexcept { return serialized_; }     ///< The whole frame.

private:
    PreKeySignalMessage(int version, std::uint32_t registration_id, std::optional<std::uint32_t> pre_key_id,
                        std::uint32_t signed_pre_key_id, std::optional<KyberPayload> kyber, PublicKey base_key,
                        IdentityKey identity_key, SignalMessage message, Bytes serialized);

    int version_;
    std::uint32_t registration_id_;
    std::optional<std::uint32_t> pre_key_id_;
    std::uint32_t signed_pre_key_id_;
    std::optional<KyberPayload> kyber_;
    PublicKey base_key_;
    IdentityKey identity_key_;
    SignalMessage message_;
    Bytes serialized_;
};

/// What encrypting produces: the bytes and how the receiver must treat them.
struct CLIQUET_EXPORT CiphertextMessage {
    CiphertextType type;  ///< pre_key or whisper
    Bytes bytes;          ///< the serialized message
};

}  // namespace cliquet
