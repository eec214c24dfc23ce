/// @file
/// Retry requests: what a device sends back when it cannot decrypt a
/// message, so that the sender can repair the session and send it again.
///
/// The receiver that failed makes a DecryptionErrorMessage for the message
/// (its timestamp, the sender's device id, and the ratchet key of a 1:1
/// message), wraps it in a PlaintextContent and sends those bytes to the
/// device that sent the message, unencrypted (a PlaintextContent is the
/// one content that travels outside a session, since the session may be what
/// failed), usually sealed (CiphertextType::plaintext inside sealed sender).
/// The sender hands it to process_retry_request(), which archives the
/// session if the failed message was sent on its current state, and says
/// what to do next.
///
/// @code
///   // On the receiver, after a failed decrypt of (type, bytes) sent at `sent_at`:
///   const auto request = DecryptionErrorMessage::for_original(bytes, type, sent_at, sender.device_id);
///   send_unencrypted(sender, PlaintextContent(request).serialize());
///   // On the sender:
///   const auto content = PlaintextContent::deserialize(received);
///   switch (process_retry_request(store, my_address, requester, content.decryption_error())) { ... }
/// @endcode
///
/// Both formats are libsignal's, byte for byte: a PlaintextContent is the
/// byte 0xC0, a service Content protobuf holding the DecryptionErrorMessage
/// in its field 8, and the padding boundary byte 0x80. Equal inputs give
/// equal bytes in cliquet and in libsignal.
///
/// Nothing in a retry request is authenticated by the protocol: only its
/// transport (sealed sender, or the server's word) says who sent it. The
/// most a forger can achieve is that the sender starts a new session with the
/// requester and sends the requester a message again.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/store.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// Serialized retry requests larger than this are refused unread; a real
/// one is under 60 bytes.
inline constexpr std::size_t kMaxRetryRequestSize = 4096;

/// libsignal's DecryptionErrorMessage: which message failed to decrypt.
class CLIQUET_EXPORT DecryptionErrorMessage {
public:
    /// The request for a message that failed: `original` of `type`, sent at
    /// `timestamp` by device `original_sender_device_id` of its account.
    /// A whisper or pre-key message is parsed for its ratchet key
    /// (Error(invalid_message) if malformed); a sender-key message carries
    /// none and is not read, as in libsignal; a plaintext one was never
    /// encrypted (Error(invalid_argument)).
    [[nodiscard]] static DecryptionErrorMessage for_original(ByteView original, CiphertextType type,
                                                             Timestamp timestamp,
                                                             std::uint32_t original_sender_device_id);
    /// Parses one. Malformed bytes, a missing timestamp, a ratchet key that is
    /// not a public key, or more than kMaxRetryRequestSize bytes are
    /// Error(invalid_message). An absent device id reads as 0, and fields
    /// this build does not know are ignored, as in libsignal.
    [[nodiscard]] static DecryptionErrorMessage deserialize(ByteView bytes);

    /// When the failed message was sent.
    [[nodiscard]] Timestamp timestamp() const noexcept { return timestamp_; }
    /// The failed message's sender ratchet key: present for a 1:1 message,
    /// absent for a group (sender-key) one.
    const std::optional<PublicKey>& ratchet_key() const noexcept { return ratchet_key_; }
    /// The device that sent the failed message, which the request is for.
    [[nodiscard]] std::uint32_t device_id() const noexcept { return device_id_; }
    /// The protobuf bytes.
    const Bytes& serialize() const noexcept { return serialized_; }

private:
    DecryptionErrorMessage(Timestamp timestamp, std::optional<PublicKey> ratchet_key, std::uint32_t device_id,
                           Bytes serialized);

    Timestamp timestamp_;
    std::optional<PublicKey> ratchet_key_;
    std::uint32_t device_id_;
    Bytes serialized_;
};

/// libsignal's PlaintextContent: a retry request as the bytes sent on the
/// wire, unencrypted.
class CLIQUET_EXPORT PlaintextContent {
public:
    /// Wraps `request` for sending.
    explicit PlaintextContent(const DecryptionErrorMessage& request);
    /// Parses one: the 0xC0 byte, a Content that holds a DecryptionErrorMessage
    /// and nothing else, and the 0x80 boundary last. Anything else, and more
    /// than kMaxRetryRequestSize bytes, is Error(invalid_message). (libsignal
    /// reads past other Content fields; cliquet refuses them, since nothing
    /// else may travel unencrypted.)
    [[nodiscard]] static PlaintextContent deserialize(ByteView bytes);

    /// The bytes to send.
    const Bytes& serialize() const noexcept { return serialized_; }
    /// What follows the 0xC0 byte: the Content and the boundary, as libsignal's body().
    [[nodiscard]] ByteView body() const noexcept { return ByteView(serialized_).subspan(1); }
    /// The retry request inside.
    const DecryptionErrorMessage& decryption_error() const noexcept { return request_; }

private:
    PlaintextContent(DecryptionErrorMessage request, Bytes serialized)
        : request_(std::move(request)), serialized_(std::move(serialized)) {}

    DecryptionErrorMessage request_;
    Bytes serialized_;
};

/// What the sender of a failed message should do about a retry request.
enum class RetryAction : std::uint8_t {
    /// The request is for another device of this account (its device id is
    /// not this device's). Nothing changed; drop it.
    not_for_this_device,
    /// The failed message was sent on the session's current state, which is
    /// now archived: fetch a fresh bundle of the requester, start a new
    /// session from it, and send the message again.
    session_archived,
    /// The session has moved on since the failed message (the requester has
    /// answered on a newer ratchet key): nothing changed; send the message
    /// again on it.
    resend,
    /// There is no session with the requester: nothing changed; fetch its
    /// bundle, start one, and send the message again.
    no_session,
    /// A group message failed (no ratchet key): nothing changed; send the
    /// requester this device's sender-key distribution message for the group
    /// again over the 1:1 session, then the message.
    resend_sender_key,
};

/// Acts on a retry request from `requester` to this device (`local`):
/// archives the session with `requester` when the request's ratchet key is
/// that of its current state (SessionRecord::current_ratchet_key_matches), in
/// one ProtocolStore::run_atomically call, and otherwise changes nothing.
/// The message to send again is the application's to find, by the request's
/// timestamp.
/// @code{.unparsed}
///   storage  the store failed (nothing changed)
/// @endcode
[[nodiscard]] CLIQUET_EXPORT RetryAction process_retry_request(ProtocolStore& store, const ProtocolAddress& local,
                                                const ProtocolAddress& requester,
                                                const DecryptionErrorMessage& request);

}  // namespace cliquet
