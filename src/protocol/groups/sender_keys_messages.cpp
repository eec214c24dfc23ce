// SenderKeyDistributionMessage and SenderKeyMessage: libsignal's wire forms.
#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/sender_keys.hpp"
#include "protocol/wire/proto_util.hpp"
#include "wire.pb.h"

namespace cliquet {
namespace {

// High nibble: the message's version; low nibble: the newest version the
// writer knows. Both are 3 for every sender-key message there has been.
constexpr std::uint8_t kVersionByte = kSenderKeyMessageVersion << 4 | kSenderKeyMessageVersion;
// A distribution message holds at least a 32-byte key and a 32-byte chain
// key; libsignal refuses anything shorter before looking inside.
constexpr std::size_t kMinDistributionMessageSize = 1 + 32 + 32;

void check_version_byte(std::uint8_t first, const char* what) {
    const int version = first >> 4;
    if (version < kSenderKeyMessageVersion)
        throw Error(ErrorCode::invalid_message,
                    std::string(what) + " has legacy version " + std::to_string(version));
    if (version > kSenderKeyMessageVersion)
        throw Error(ErrorCode::invalid_message,
                    std::string(what) + " has unknown version " + std::to_string(version));
}

DistributionId distribution_id_from(const std::string& field, const char* what) {
    DistributionId id{};
    if (field.size() != id.size())
        throw Error(ErrorCode::invalid_message, std::string(what) + " has no valid distribution id");
    std::copy(field.begin(), field.end(), id.begin());
    return id;
}

[[noreturn]] void missing(const char* what, const char* field) {
    throw Error(ErrorCode::invalid_message, std::string(what) + " lacks its " + field);
}

}  // namespace

// ---- SenderKeyDistributionMessage -----------------------------------------

SenderKeyDistributionMessage::SenderKeyDistributionMessage(const DistributionId& distribution_id,
                                                           std::uint32_t chain_id, std::uint32_t iteration,
                                                           const SenderChainKeyBytes& chain_key,
                                                           const PublicKey& signing_key)
    : distribution_id_(distribution_id),
      chain_id_(chain_id),
      iteration_(iteration),
      chain_key_(chain_key),
      signing_key_(signing_key) {
    proto::wire::SenderKeyDistributionMessage body;
    body.set_distribution_uuid(distribution_id.data(), distribution_id.size());
    body.set_chain_id(chain_id);
    body.set_iteration(iteration);
    body.set_chain_key(chain_key.data(), chain_key.size());
    const Bytes key_bytes = signing_key.serialize();
    body.set_signing_key(key_bytes.data(), key_bytes.size());

    std::string encoded = body.SerializeAsString();
    serialized_ = SecretBytes(1 + encoded.size());
    serialized_.data()[0] = kVersionByte;
    std::copy(encoded.begin(), encoded.end(), serialized_.data() + 1);
    protocol::wipe_string(encoded);
    protocol::wipe_string(*body.mutable_chain_key());
}

SenderKeyDistributionMessage::SenderKeyDistributionMessage(ByteView serialized,
                                                           const DistributionId& distribution_id,
                                                           std::uint32_t chain_id, std::uint32_t iteration,
                                                           const SenderChainKeyBytes& chain_key,
                                                           const PublicKey& signing_key)
    : distribution_id_(distribution_id),
      chain_id_(chain_id),
      iteration_(iteration),
      chain_key_(chain_key),
      signing_key_(signing_key),
      serialized_(serialized) {}

SenderKeyDistributionMessage SenderKeyDistributionMessage::deserialize(ByteView bytes) {
    constexpr const char* what = "sender key distribution message";
    if (bytes.size() < kMinDistributionMessageSize)
        throw Error(ErrorCode::invalid_message, std::string(what) + " is too short");
    check_version_byte(bytes[0], what);

    proto::wire::SenderKeyDistributionMessage body;
    struct Wiper {
        proto::wire::SenderKeyDistributionMessage& body;
        ~Wiper() { protocol::wipe_field(body.chain_key(), [&] { return body.mutable_chain_key(); }); }
    } wiper{body};
    protocol::parse_proto(body, bytes.subspan(1), ErrorCode::invalid_message, what);

    if (!body.has_distribution_uuid()) missing(what, "distribution id");
    const DistributionId distribution_id = distribution_id_from(body.distribution_uuid(), what);
    if (!body.has_chain_id()) missing(what, "chain id");
    if (!body.has_iteration()) missing(what, "iteration");
    if (!body.has_chain_key()) missing(what, "chain key");
    if (!body.has_signing_key()) missing(what, "signing key");
    if (body.chain_key().size() != 32 || body.signing_key().size() != kPublicKeySize)
        throw Error(ErrorCode::invalid_message, std::string(what) + " has a key of the wrong length");
    const PublicKey signing_key = PublicKey::deserialize(protocol::view_of(body.signing_key()));
    const SenderChainKeyBytes chain_key(protocol::view_of(body.chain_key()).first<32>());
    return SenderKeyDistributionMessage(bytes, distribution_id, body.chain_id(), body.iteration(), chain_key,
                                        signing_key);
}

// ---- SenderKeyMessage ------------------------------------------------------

SenderKeyMessage SenderKeyMessage::create(const DistributionId& distribution_id, std::uint32_t chain_id,
                                          std::uint32_t iteration, ByteView ciphertext,
                                          const PrivateKey& signing_key, RandomSource& random) {
    proto::wire::SenderKeyMessage body;
    body.set_distribution_uuid(distribution_id.data(), distribution_id.size());
    body.set_chain_id(chain_id);
    body.set_iteration(iteration);
    body.set_ciphertext(ciphertext.data(), ciphertext.size());

    SenderKeyMessage message;
    message.distribution_id_ = distribution_id;
    message.chain_id_ = chain_id;
    message.iteration_ = iteration;
    message.ciphertext_.assign(ciphertext.begin(), ciphertext.end());

    const std::size_t body_size = body.ByteSizeLong();
    Bytes& out = message.serialized_;
    out.resize(1 + body_size);
    out[0] = kVersionByte;
    if (!body.SerializeToArray(out.data() + 1, static_cast<int>(body_size)))
        throw Error(ErrorCode::invalid_argument, "sender key message is too large to encode");
    const Signature signature = signing_key.sign(out, random);
    out.insert(out.end(), signature.begin(), signature.end());
    return message;
}

SenderKeyMessage SenderKeyMessage::deserialize(ByteView bytes) {
    constexpr const char* what = "sender key message";
    if (bytes.size() < 1 + kSignatureSize) throw Error(ErrorCode::invalid_message, std::string(what) + " is too short");
    check_version_byte(bytes[0], what);

    proto::wire::SenderKeyMessage body;
    protocol::parse_proto(body, bytes.subspan(1, bytes.size() - 1 - kSignatureSize), ErrorCode::invalid_message, what);
    if (!body.has_distribution_uuid()) missing(what, "distribution id");
    const DistributionId distribution_id = distribution_id_from(body.distribution_uuid(), what);
    if (!body.has_chain_id()) missing(what, "chain id");
    if (!body.has_iteration()) missing(what, "iteration");
    if (!body.has_ciphertext()) missing(what, "ciphertext");

    SenderKeyMessage message;
    message.message_version_ = static_cast<std::uint8_t>(bytes[0] >> 4);
    message.distribution_id_ = distribution_id;
    message.chain_id_ = body.chain_id();
    message.iteration_ = body.iteration();
    message.ciphertext_.assign(body.ciphertext().begin(), body.ciphertext().end());
    message.serialized_.assign(bytes.begin(), bytes.end());
    return message;
}

bool SenderKeyMessage::verify_signature(const PublicKey& signing_key) const {
    const ByteView all(serialized_);
    return signing_key.verify(all.first(all.size() - kSignatureSize), all.last(kSignatureSize));
}

}  // namespace cliquet
