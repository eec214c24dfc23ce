/// @file
/// Sealed sender over sessions: encrypt to an address with its
/// session and seal the result; open, validate the sender certificate, and
/// decrypt the inner message with the right cipher. As libsignal's
/// sealed_sender_encrypt, sealed_sender_multi_recipient_encrypt and
/// sealed_sender_decrypt.
///
/// Accounts with several devices (the Sesame model, as in Signal): the linked
/// devices of one account share the account's identity key pair, while each
/// has its own device id, registration id, pre-keys and sessions. A version 2
/// message seals once per account, to that key, so every device of an
/// account must be known with the same identity key.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/decryption_error.hpp"
#include "cliquet/error.hpp"
#include "cliquet/export.hpp"
#include "cliquet/random.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet/service_id.hpp"
#include "cliquet/session.hpp"
#include "cliquet/store.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// Encrypts `plaintext` with the session to `destination`, then seals it
/// (version 1) to the identity key the store holds for it.
/// @code{.unparsed}
///   no_session          no session, or no identity key, for the address
///   untrusted_identity  the session's identity is no longer trusted
/// @endcode
[[nodiscard]] CLIQUET_EXPORT Bytes sealed_sender_encrypt(ProtocolStore& store, const ProtocolAddress& destination,
                                                         const SenderCertificate& sender, ByteView plaintext,
                                                         RandomSource& random = system_random());

/// Seals `content` (version 2) to every device in `destinations`, which are
/// addresses named by service id. Identity keys come from the identity store,
/// registration ids from the sessions; devices of one account are grouped in
/// order of first appearance. Every device of an account must be known with
/// one identity key, in the identity store and in its session: the account's
/// devices share the key material, which only the account's identity key
/// opens.
/// @code{.unparsed}
///   no_session        no session or identity key for an address
///   invalid_argument  a name that is not a service id, a registration id
///                     over 14 bits, a device id out of range, an account
///                     both a destination and excluded; devices of one
///                     account known with different identity keys (the
///                     message names the account)
/// @endcode
[[nodiscard]] CLIQUET_EXPORT Bytes sealed_sender_multi_recipient_encrypt(
    ProtocolStore& store, std::span<const ProtocolAddress> destinations, std::span<const ServiceId> excluded,
    const UnidentifiedSenderMessageContent& content, RandomSource& random = system_random());

/// What sealed_sender_decrypt learned: the validated sender, what the
/// envelope held and the plaintext.
struct CLIQUET_EXPORT SealedSenderDecryptionResult {
    std::string sender_uuid;                 ///< the sender's ACI, as a string
    std::optional<std::string> sender_e164;  ///< the sender's phone number, if its certificate disclosed it
    std::uint32_t sender_device_id;          ///< the sender's device
    /// The decrypted message; for CiphertextType::plaintext, the
    /// PlaintextContent's body (the Content and its boundary byte).
    Bytes plaintext;
    CiphertextType content_type;       ///< which cipher opened it: pre_key, whisper, sender_key or plaintext
    ContentHint content_hint;          ///< what the sender asked of a recipient that cannot decrypt its messages
    std::optional<Bytes> group_id;     ///< the group the message belongs to, if any
    /// For CiphertextType::plaintext: the retry request it carries (see
    /// process_retry_request()).
    std::optional<DecryptionErrorMessage> retry_request;

    /// The sender's address: its ACI string and device id.
    [[nodiscard]] ProtocolAddress sender() const { return ProtocolAddress{sender_uuid, sender_device_id}; }
};

/// How sealed_sender_decrypt fails once the envelope has opened and its
/// sender certificate validated, but the message inside does not decrypt:
/// the error of the inner cipher (code() is its code), with what an
/// application needs to ask the sender for the message again. Everything
/// here comes from a validated certificate or from the envelope that the
/// certificate's identity key sealed.
class CLIQUET_EXPORT SealedSenderDecryptionError : public Error {
public:
    /// `cause`, the inner cipher's error, about the message in `content`;
    /// `thrown` is that error as thrown (std::current_exception() in the
    /// handler that caught it), kept for cause().
    SealedSenderDecryptionError(const Error& cause, const UnidentifiedSenderMessageContent& content,
                                std::exception_ptr thrown = nullptr);

    /// The inner cipher's error as it was thrown, with its own detail: for
    /// instance an UntrustedIdentityError (the sender's new identity key) or
    /// a DuplicateMessageError (the chain and counter). Rethrow it with
    /// std::rethrow_exception to catch the derived type. Null when the
    /// constructor was not given it.
    [[nodiscard]] std::exception_ptr cause() const noexcept { return details_->cause; }

    /// The sender's address: its certificate's ACI string and device id.
    const ProtocolAddress& sender() const noexcept { return details_->sender; }
    /// The sender's service id (an ACI), or nullopt if its certificate's
    /// uuid does not parse as one.
    [[nodiscard]] std::optional<ServiceId> sender_service_id() const noexcept {
        return ServiceId::parse(details_->sender.name);
    }
    /// The sender's phone number, if its certificate disclosed it.
    const std::optional<std::string>& sender_e164() const noexcept { return details_->sender_e164; }
    /// The sender's identity key, as its validated certificate names it (and
    /// the envelope proved): what to seal a retry request to, even when the
    /// failed message was the first from that sender.
    const IdentityKey& sender_identity_key() const noexcept { return details_->sender_identity_key; }
    /// The type of the message that failed.
    [[nodiscard]] CiphertextType content_type() const noexcept { return details_->content_type; }
    /// The message that failed, as the envelope held it.
    const Bytes& content() const noexcept { return details_->content; }
    /// What the sender asked of a recipient that cannot decrypt: resend
    /// (resendable), show nothing (implicit), or show an error (none).
    [[nodiscard]] ContentHint content_hint() const noexcept { return details_->content_hint; }
    /// The group the message belongs to, if any.
    const std::optional<Bytes>& group_id() const noexcept { return details_->group_id; }

    /// The retry request for the failed message, sent at `sent_at` (the
    /// timestamp its delivery carried): DecryptionErrorMessage::for_original
    /// of content(), with the sender's device id. A pre-key or whisper
    /// message too malformed to name its ratchet key is
    /// Error(invalid_message); a plaintext one is Error(invalid_argument).
    [[nodiscard]] DecryptionErrorMessage retry_request(Timestamp sent_at) const {
        return DecryptionErrorMessage::for_original(content(), content_type(), sent_at, sender().device_id);
    }

private:
    // Shared, so that copying the exception never throws.
    struct Details {
        ProtocolAddress sender;
        std::optional<std::string> sender_e164;
        IdentityKey sender_identity_key;
        CiphertextType content_type;
        Bytes content;
        ContentHint content_hint;
        std::optional<Bytes> group_id;
        std::exception_ptr cause;
    };
    std::shared_ptr<const Details> details_;
};

/// This device, the recipient: a message that claims to come from it is refused.
struct CLIQUET_EXPORT SealedSenderRecipient {
    std::string uuid;                 ///< this account's ACI, as a string
    std::optional<std::string> e164;  ///< this account's phone number, if known
    std::uint32_t device_id;          ///< this device's id
};

/// Opens a sealed message (either version) once, validates its certificate
/// against `trust_root` at `now`, and hands the message inside to its cipher:
/// a pre-key or whisper message to SessionCipher (the sender's session), a
/// sender-key message to group_decrypt (the sender's sender key), and a
/// plaintext one to PlaintextContent::deserialize (a retry request, which
/// changes nothing). A message that fails anywhere changes nothing.
/// @code{.unparsed}
///   invalid_message      a bad envelope, or a message from this very device
///   invalid_certificate  the certificate is malformed, expired, revoked or
///                        not from `trust_root`
/// @endcode
/// Once the envelope has opened and the certificate validated, a failure of
/// the message inside (whatever SessionCipher::decrypt, group_decrypt or
/// PlaintextContent::deserialize refuses, or invalid_message for a content
/// type none of them reads) is a SealedSenderDecryptionError,
/// which names the sender, the content hint and the group.
/// `options` apply to a session that a sealed pre-key message starts, as
/// SessionCipher's do.
[[nodiscard]] CLIQUET_EXPORT SealedSenderDecryptionResult sealed_sender_decrypt(
    ProtocolStore& store, ByteView ciphertext, const PublicKey& trust_root, Timestamp now,
    const SealedSenderRecipient& local, RandomSource& random = system_random(), const SessionOptions& options = {});

}  // namespace cliquet
