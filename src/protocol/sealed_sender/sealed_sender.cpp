// UnidentifiedSenderMessageContent, and opening any version of envelope.
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/sealed_sender.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "sealed_sender.pb.h"

namespace cliquet {
namespace {

using ProtoContent = proto::sealed_sender::UnidentifiedSenderMessage::Message;

// The protobuf numbers the content type differently from libsignal's
// CiphertextMessageType for pre-key messages only.
constexpr std::int32_t kProtoPreKey = 1;

std::int32_t proto_type(CiphertextType type) noexcept {
    return type == CiphertextType::pre_key ? kProtoPreKey : static_cast<std::int32_t>(type);
}

std::optional<CiphertextType> content_type_from_proto(std::int32_t value) noexcept {
    switch (value) {
        case kProtoPreKey: return CiphertextType::pre_key;
        case static_cast<std::int32_t>(CiphertextType::whisper): return CiphertextType::whisper;
        case static_cast<std::int32_t>(CiphertextType::sender_key): return CiphertextType::sender_key;
        case static_cast<std::int32_t>(CiphertextType::plaintext): return CiphertextType::plaintext;
        default: return std::nullopt;
    }
}

Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

}  // namespace

UnidentifiedSenderMessageContent::UnidentifiedSenderMessageContent(CiphertextType type, SenderCertificate sender,
                                                                   Bytes content, ContentHint hint,
                                                                   std::optional<Bytes> group_id)
    : type_(type), sender_(std::move(sender)), content_(std::move(content)), hint_(hint),
      group_id_(group_id && !group_id->empty() ? std::move(group_id) : std::nullopt) {
    if (!content_type_from_proto(proto_type(type_)))
        throw Error(ErrorCode::invalid_argument, "unknown sealed content type");
    ProtoContent message;
    message.set_type(proto_type(type_));
    message.set_sender_certificate(sender_.serialize().data(), sender_.serialize().size());
    message.set_content(content_.data(), content_.size());
    // Like libsignal, the default hint and an empty group id are left out.
    // Hints travel as protobuf enums, i.e. int32: values past INT32_MAX wrap
    // to negative, as in libsignal.
    if (hint_ != ContentHint::none) message.set_content_hint(static_cast<std::int32_t>(hint_));
    if (group_id_) message.set_group_id(group_id_->data(), group_id_->size());
    serialized_ = to_bytes(message.SerializeAsString());
}

UnidentifiedSenderMessageContent::UnidentifiedSenderMessageContent(Parsed, CiphertextType type,
                                                                   SenderCertificate sender, Bytes content,
                                                                   ContentHint hint, std::optional<Bytes> group_id,
                                                                   Bytes serialized)
    : type_(type), sender_(std::move(sender)), content_(std::move(content)), hint_(hint),
      group_id_(std::move(group_id)), serialized_(std::move(serialized)) {}

UnidentifiedSenderMessageContent UnidentifiedSenderMessageContent::deserialize(ByteView bytes) {
    ProtoContent message;
    protocol::parse_proto(message, bytes, ErrorCode::invalid_message, "sealed sender content",
                          protocol::kMaxSealedMessageSize);
    if (!message.has_type()) protocol::refuse_message("sealed sender content lacks its type");
    const auto type = content_type_from_proto(message.type());
    if (!type) protocol::refuse_message("sealed sender content has unknown type " + std::to_string(message.type()));
    if (!message.has_sender_certificate()) protocol::refuse_message("sealed sender content lacks its certificate");
    if (!message.has_content()) protocol::refuse_message("sealed sender content lacks its content");
    auto sender = SenderCertificate::deserialize(protocol::view_of(message.sender_certificate()));
    std::optional<Bytes> group_id;
    if (message.has_group_id()) group_id = to_bytes(message.group_id());
    return UnidentifiedSenderMessageContent(Parsed{}, *type, std::move(sender), to_bytes(message.content()),
                                            static_cast<ContentHint>(static_cast<std::uint32_t>(message.content_hint())), std::move(group_id),
                                            Bytes(bytes.begin(), bytes.end()));
}

UnsealedContent unseal_unvalidated(ByteView ciphertext, const IdentityKeyPair& recipient) {
    if (ciphertext.empty()) protocol::refuse_message("sealed sender message is empty");
    if (ciphertext.size() > protocol::kMaxSealedMessageSize) protocol::refuse_message("sealed sender message is too large");
    // The high nibble is the version needed to read the message. libsignal
    // reads 0 as version 1.
    const int required_version = ciphertext[0] >> 4;
    switch (required_version) {
        case 0:
        case 1: return UnsealedContent{1, protocol::open_v1(ciphertext, recipient)};
        case 2: return UnsealedContent{2, protocol::open_v2(ciphertext, recipient)};
        default:
            protocol::refuse_message("unknown sealed sender version " + std::to_string(required_version));
    }
}

UnsealedContent unseal(ByteView ciphertext, const IdentityKeyPair& recipient, const PublicKey& trust_root,
                       Timestamp now) {
    UnsealedContent opened = unseal_unvalidated(ciphertext, recipient);
    opened.content.sender().validate(trust_root, now);
    return opened;
}

}  // namespace cliquet
