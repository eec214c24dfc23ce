// Sealed sender combined with sessions (see cliquet/sealed_session_cipher.hpp).
#include <map>

#include "cliquet/error.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "cliquet/session.hpp"

namespace cliquet {
namespace {

IdentityKey identity_for(ProtocolStore& store, const ProtocolAddress& address) {
    auto identity = store.identities().identity(address);
    if (!identity) throw Error(ErrorCode::no_session, "no identity key known for " + address.to_string());
    return *identity;
}

}  // namespace

Bytes sealed_sender_encrypt(ProtocolStore& store, const ProtocolAddress& destination, const SenderCertificate& sender,
                            ByteView plaintext, RandomSource& random) {
    // The certificate names this device, which the session's first messages bind.
    const ProtocolAddress local{sender.sender_uuid(), sender.sender_device_id()};
    const CiphertextMessage message = SessionCipher(store, local, destination).encrypt(plaintext, random);
    const UnidentifiedSenderMessageContent content(message.type, sender, message.bytes);
    return seal_v1(content, store.identities().identity_key_pair(), identity_for(store, destination), random);
}

Bytes sealed_sender_multi_recipient_encrypt(ProtocolStore& store, std::span<const ProtocolAddress> destinations,
                                            std::span<const ServiceId> excluded,
                                            const UnidentifiedSenderMessageContent& content, RandomSource& random) {
    std::vector<SealedRecipient> recipients;
    std::map<std::string, std::size_t> by_name;
    for (const ProtocolAddress& address : destinations) {
        const auto session = store.sessions().load_session(address);
        const auto registration_id = session ? session->remote_registration_id() : std::nullopt;
        if (!registration_id) throw Error(ErrorCode::no_session, "no session with " + address.to_string());
        const auto [entry, is_new] = by_name.emplace(address.name, recipients.size());
        if (is_new) {
            const auto service_id = ServiceId::parse(address.name);
            if (!service_id)
                throw Error(ErrorCode::invalid_argument,
                            "multi-recipient sealed sender needs service ids, not '" + address.name + "'");
            recipients.push_back(SealedRecipient{*service_id, identity_for(store, address), {}});
        }
        recipients[entry->second].devices.push_back(SealedRecipientDevice{address.device_id, *registration_id});
    }
    return seal_v2(content, store.identities().identity_key_pair(), recipients, excluded, random);
}

SealedSenderDecryptionResult sealed_sender_decrypt(ProtocolStore& store, ByteView ciphertext,
                                                   const PublicKey& trust_root, TimestampMs now,
                                                   const SealedSenderRecipient& local, RandomSource& random,
                                                   const SessionOptions& options) {
    const UnsealedContent opened = unseal(ciphertext, store.identities().identity_key_pair(), trust_root, now);
    const SenderCertificate& sender = opened.content.sender();

    const bool from_us = sender.sender_uuid() == local.uuid || (local.e164 && sender.sender_e164() == local.e164);
    if (from_us && sender.sender_device_id() == local.device_id)
        throw Error(ErrorCode::invalid_message, "sealed sender message claims to come from this very device");

    const CiphertextType type = opened.content.type();
    if (type != CiphertextType::prekey && type != CiphertextType::whisper)
        throw Error(ErrorCode::invalid_message, "sealed sender content is not a session message");
    const ProtocolAddress remote{sender.sender_uuid(), sender.sender_device_id()};
    Bytes plaintext = SessionCipher(store, ProtocolAddress{local.uuid, local.device_id}, remote, options)
                          .decrypt(type, opened.content.content(), random);
    return SealedSenderDecryptionResult{sender.sender_uuid(), sender.sender_e164(), sender.sender_device_id(),
                                        std::move(plaintext)};
}

}  // namespace cliquet
