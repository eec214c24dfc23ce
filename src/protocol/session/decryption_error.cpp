// Retry requests (see cliquet/decryption_error.hpp): libsignal's
// DecryptionErrorMessage and PlaintextContent, and what the sender of a
// failed message does on receiving one.
#include "cliquet/decryption_error.hpp"

#include <string>

#include "cliquet/error.hpp"
#include "protocol/wire/proto_util.hpp"
#include "service.pb.h"

namespace cliquet {
namespace {

// libsignal's markers around the Content of a PlaintextContent: the first
// byte names the format, the last marks where padding would begin.
constexpr std::uint8_t kPlaintextContentByte = 0xC0;
constexpr std::uint8_t kPaddingBoundaryByte = 0x80;

[[noreturn]] void malformed(const std::string& why) { throw Error(ErrorCode::invalid_message, why); }

Bytes bytes_of(const std::string& serialized) { return Bytes(serialized.begin(), serialized.end()); }

}  // namespace

DecryptionErrorMessage::DecryptionErrorMessage(Timestamp timestamp, std::optional<PublicKey> ratchet_key,
                                               std::uint32_t device_id, Bytes serialized)
    : timestamp_(timestamp), ratchet_key_(ratchet_key), device_id_(device_id), serialized_(std::move(serialized)) {}

DecryptionErrorMessage DecryptionErrorMessage::for_original(ByteView original, CiphertextType type, Timestamp timestamp,
                                                            std::uint32_t original_sender_device_id) {
    std::optional<PublicKey> ratchet_key;
    switch (type) {
        case CiphertextType::whisper: ratchet_key = SignalMessage::deserialize(original).sender_ratchet_key(); break;
        case CiphertextType::pre_key:
            ratchet_key = PreKeySignalMessage::deserialize(original).message().sender_ratchet_key();
            break;
        case CiphertextType::sender_key: break;
        default:
            throw Error(ErrorCode::invalid_argument,
                        "a retry request is for an encrypted message; plaintext content was never encrypted");
    }
    proto::service::DecryptionErrorMessage message;
    if (ratchet_key) {
        const Bytes key = ratchet_key->serialize();
        message.set_ratchet_key(key.data(), key.size());
    }
    message.set_timestamp(unix_ms(timestamp));
    message.set_device_id(original_sender_device_id);
    return DecryptionErrorMessage(timestamp, ratchet_key, original_sender_device_id,
                                  bytes_of(message.SerializeAsString()));
}

DecryptionErrorMessage DecryptionErrorMessage::deserialize(ByteView bytes) {
    proto::service::DecryptionErrorMessage message;
    protocol::parse_proto(message, bytes, ErrorCode::invalid_message, "retry request", kMaxRetryRequestSize);
    if (!message.has_timestamp()) malformed("retry request has no timestamp");
    std::optional<PublicKey> ratchet_key;
    if (message.has_ratchet_key()) {
        try {
            ratchet_key = PublicKey::deserialize(as_bytes(message.ratchet_key()));
        } catch (const Error&) {
            malformed("retry request's ratchet key is not a public key");
        }
    }
    return DecryptionErrorMessage(timestamp_from_unix_ms(message.timestamp()), ratchet_key, message.device_id(),
                                  Bytes(bytes.begin(), bytes.end()));
}

PlaintextContent::PlaintextContent(const DecryptionErrorMessage& request) : request_(request) {
    proto::service::Content content;
    content.set_decryption_error_message(request.serialize().data(), request.serialize().size());
    serialized_.reserve(2 + content.ByteSizeLong());
    serialized_.push_back(kPlaintextContentByte);
    const std::string body = content.SerializeAsString();
    serialized_.insert(serialized_.end(), body.begin(), body.end());
    serialized_.push_back(kPaddingBoundaryByte);
}

PlaintextContent PlaintextContent::deserialize(ByteView bytes) {
    if (bytes.size() > kMaxRetryRequestSize) malformed("plaintext content is too large");
    if (bytes.size() < 2) malformed("plaintext content is too short");
    if (bytes.front() != kPlaintextContentByte) malformed("not a plaintext content (first byte " + std::to_string(bytes.front()) + ")");
    if (bytes.back() != kPaddingBoundaryByte) malformed("plaintext content does not end at the padding boundary");
    proto::service::Content content;
    protocol::parse_proto(content, bytes.subspan(1, bytes.size() - 2), ErrorCode::invalid_message,
                          "plaintext content", kMaxRetryRequestSize);
    if (!content.unknown_fields().empty()) malformed("plaintext content holds something other than a retry request");
    if (!content.has_decryption_error_message()) malformed("plaintext content holds no retry request");
    DecryptionErrorMessage request = DecryptionErrorMessage::deserialize(as_bytes(content.decryption_error_message()));
    return PlaintextContent(std::move(request), Bytes(bytes.begin(), bytes.end()));
}

RetryAction process_retry_request(ProtocolStore& store, const ProtocolAddress& local, const ProtocolAddress& requester,
                                  const DecryptionErrorMessage& request) {
    if (request.device_id() != local.device_id) return RetryAction::not_for_this_device;
    if (!request.ratchet_key()) return RetryAction::resend_sender_key;
    const PublicKey& ratchet_key = *request.ratchet_key();
    std::optional<SessionRecord> record = store.sessions().load_session(requester);
    if (!record || !record->has_current_state()) return RetryAction::no_session;
    if (!record->current_ratchet_key_matches(ratchet_key)) return RetryAction::resend;
    record->archive_current_state();
    store.run_atomically([&] { store.sessions().store_session(requester, std::move(*record)); });
    return RetryAction::session_archived;
}

}  // namespace cliquet
