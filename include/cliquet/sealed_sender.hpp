/// @file
/// Sealed sender: messages whose sender only the recipient learns.
///
/// The sender wraps a message (usually a session ciphertext) together with
/// its SenderCertificate in an UnidentifiedSenderMessageContent, then seals
/// that to the recipient's identity key:
///  - version 1 (one recipient): an ephemeral X25519 agreement hides the
///    sender's identity key; a static agreement between the two identity keys
///    then proves it. AES-256-CTR with 10-byte truncated HMAC-SHA256.
///  - version 2 (many recipients): one AES-256-GCM-SIV payload, plus for each
///    recipient 48 bytes of key material derived from one shared secret. The
///    server splits the "sent" message into per-recipient "received" messages
///    (sealed_fanout.hpp).
///
/// Byte for byte as libsignal's sealed_sender.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/random.hpp"
#include "cliquet/service_id.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// How the recipient should react if the content cannot be decrypted. Values
/// other than these travel unchanged.
enum class ContentHint : std::uint32_t {
    none = 0,        ///< libsignal's Default: the sender will not resend
    resendable = 1,  ///< the sender will try again; delay any error UI
    implicit = 2,    ///< show no error at all (receipts, typing indicators)
};

/// The plaintext of a sealed envelope: who sent it and what (a message of any
/// CiphertextType: a session message, a sender-key message, or plaintext).
class CLIQUET_EXPORT UnidentifiedSenderMessageContent {
public:
    /// An empty group id is the same as none.
    UnidentifiedSenderMessageContent(CiphertextType type, SenderCertificate sender, Bytes content,
                                     ContentHint hint = ContentHint::none, std::optional<Bytes> group_id = std::nullopt);
    /// Malformed bytes are Error(invalid_message); a malformed certificate
    /// inside is Error(invalid_certificate).
    [[nodiscard]] static UnidentifiedSenderMessageContent deserialize(ByteView bytes);

    [[nodiscard]] CiphertextType type() const noexcept { return type_; }  ///< What kind of message content() is.
    /// The sender's certificate (not validated by parsing).
    const SenderCertificate& sender() const noexcept { return sender_; }
    const Bytes& content() const noexcept { return content_; }      ///< The inner message.
    [[nodiscard]] ContentHint content_hint() const noexcept { return hint_; }  ///< How to react to a failure.
    /// The group the message belongs to, if any.
    const std::optional<Bytes>& group_id() const noexcept { return group_id_; }
    const Bytes& serialize() const noexcept { return serialized_; }  ///< libsignal's protobuf form.

private:
    struct Parsed {};
    UnidentifiedSenderMessageContent(Parsed, CiphertextType type, SenderCertificate sender, Bytes content,
                                     ContentHint hint, std::optional<Bytes> group_id, Bytes serialized);

    CiphertextType type_;
    SenderCertificate sender_;
    Bytes content_;
    ContentHint hint_;
    std::optional<Bytes> group_id_;
    Bytes serialized_;
};

/// Version bytes: (version required to read) << 4 | version written.
inline constexpr std::uint8_t kSealedSenderV1Version = 0x11;
inline constexpr std::uint8_t kSealedSenderV2UuidVersion = 0x22;       ///< v2 sent (ACI UUIDs) and every v2 received
inline constexpr std::uint8_t kSealedSenderV2ServiceIdVersion = 0x23;  ///< v2 sent, service ids

/// Seals `content` to one recipient (version 1). `sender` must be the
/// identity whose key the content's certificate carries, or the recipient
/// refuses the envelope.
[[nodiscard]] CLIQUET_EXPORT Bytes seal_v1(const UnidentifiedSenderMessageContent& content,
                                           const IdentityKeyPair& sender, const IdentityKey& recipient,
                                           RandomSource& random = system_random());

/// One recipient device of a version 2 message.
struct CLIQUET_EXPORT SealedRecipientDevice {
    std::uint32_t device_id = 0;        ///< 1 to 127
    std::uint32_t registration_id = 0;  ///< 0 to 0x3fff
};

/// One recipient account of a version 2 message: its devices share the key
/// material, so they are listed together.
struct CLIQUET_EXPORT SealedRecipient {
    ServiceId service_id;                        ///< the account
    IdentityKey identity_key;                    ///< its identity key
    std::vector<SealedRecipientDevice> devices;  ///< at least one
};

/// Seals version 2 "sent" messages for one sender identity. Per recipient a
/// message costs one X25519 agreement with a fresh ephemeral key plus one with
/// the sender's static identity key; the static one is the same for every
/// message to that recipient, so it is computed once and kept (wiped when the
/// sealer dies). Not thread-safe.
class CLIQUET_EXPORT MultiRecipientSealer {
public:
    /// A sealer for messages from `sender`, which it copies.
    explicit MultiRecipientSealer(const IdentityKeyPair& sender) : sender_(sender) {}

    /// `excluded` names accounts deliberately left out (the server checks the
    /// list is complete). A recipient without devices, a device id or
    /// registration id out of range, or an account both included and excluded
    /// is Error(invalid_argument).
    [[nodiscard]] Bytes seal(const UnidentifiedSenderMessageContent& content,
                             std::span<const SealedRecipient> recipients, std::span<const ServiceId> excluded = {},
                             RandomSource& random = system_random());

    /// Forgets the cached agreements (e.g.\ after a recipient's identity changed;
    /// entries are keyed by identity key, so a stale one is never used).
    void clear_cache() noexcept { static_agreements_.clear(); }

private:
    const SecretArray<32>& static_agreement(const IdentityKey& recipient);

    IdentityKeyPair sender_;
    std::map<IdentityKey, SecretArray<32>> static_agreements_;
};

/// A one-off MultiRecipientSealer::seal.
[[nodiscard]] CLIQUET_EXPORT Bytes seal_v2(const UnidentifiedSenderMessageContent& content,
                                           const IdentityKeyPair& sender, std::span<const SealedRecipient> recipients,
                                           std::span<const ServiceId> excluded = {},
                                           RandomSource& random = system_random());

/// An opened envelope.
struct CLIQUET_EXPORT UnsealedContent {
    std::uint8_t version;  ///< 1 or 2
    UnidentifiedSenderMessageContent content;  ///< what the sender sealed
};

/// Opens a version 1 envelope or a version 2 received message addressed to
/// `recipient`, and checks that the envelope was sealed by the identity key
/// the content's certificate names. Does NOT validate the certificate: use
/// unseal() or validate content.sender() before believing it.
/// Anything wrong is Error(invalid_message) (Error(invalid_certificate) for
/// a malformed certificate), and nothing is returned.
[[nodiscard]] CLIQUET_EXPORT UnsealedContent unseal_unvalidated(ByteView ciphertext, const IdentityKeyPair& recipient);

/// unseal_unvalidated, then the certificate validated against `trust_root` at
/// `now` (Error(invalid_certificate) if it fails).
[[nodiscard]] CLIQUET_EXPORT UnsealedContent unseal(ByteView ciphertext, const IdentityKeyPair& recipient,
                                                    const PublicKey& trust_root, Timestamp now);

}  // namespace cliquet
