// Sealed sender combined with sessions (see cliquet/sealed_session_cipher.hpp).
#include <map>

#include "cliquet/error.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "protocol/groups/sender_key_state.hpp"
#include "protocol/session/staged_sessions.hpp"

namespace cliquet {
namespace {

IdentityKey identity_for(ProtocolStore& store, const ProtocolAddress& address) {
    auto identity = store.identities().identity(address);
    if (!identity) throw Error(ErrorCode::no_session, "no identity key known for " + address.to_string());
    return *identity;
}

// The message inside an opened envelope, handed to its cipher.
Bytes decrypt_content(ProtocolStore& store, const UnidentifiedSenderMessageContent& content,
                      const ProtocolAddress& local, const ProtocolAddress& sender, RandomSource& random,
                      const SessionOptions& options, std::optional<DecryptionErrorMessage>& retry_request) {
    switch (content.type()) {
        case CiphertextType::pre_key:
        case CiphertextType::whisper:
            return SessionCipher(store, local, sender, options).decrypt(content.type(), content.content(), random);
        case CiphertextType::sender_key: {
            // As for sessions: decrypt from what was read, then write once.
            protocol::GroupDecryption decrypted =
                protocol::decrypt_group_message(store.sender_keys(), sender, content.content());
            store.run_atomically([&] {
                protocol::store_sender_key_record(store.sender_keys(), sender, decrypted.distribution_id,
                                                  decrypted.record);
            });
            return std::move(decrypted.plaintext);
        }
        case CiphertextType::plaintext: {
            const PlaintextContent plaintext = PlaintextContent::deserialize(content.content());
            retry_request.emplace(plaintext.decryption_error());
            return Bytes(plaintext.body().begin(), plaintext.body().end());
        }
    }
    throw Error(ErrorCode::invalid_message, "sealed content of a type no cipher reads");
}

}  // namespace

SealedSenderDecryptionError::SealedSenderDecryptionError(const Error& cause,
                                                         const UnidentifiedSenderMessageContent& content,
                                                         std::exception_ptr thrown)
    : Error(cause.code(), "sealed message from " + content.sender().sender_uuid() + "." +
                              std::to_string(content.sender().sender_device_id()) + ": " + cause.what()),
      details_(std::make_shared<const Details>(
          Details{ProtocolAddress{content.sender().sender_uuid(), content.sender().sender_device_id()},
                  content.sender().sender_e164(), content.sender().identity_key(), content.type(), content.content(),
                  content.content_hint(), content.group_id(), std::move(thrown)})) {}

Bytes sealed_sender_encrypt(ProtocolStore& store, const ProtocolAddress& destination, const SenderCertificate& sender,
                            ByteView plaintext, RandomSource& random) {
    // The certificate names this device, which the session's first messages bind.
    const ProtocolAddress local{sender.sender_uuid(), sender.sender_device_id()};
    // Read before the session advances, so that a failure here changes nothing.
    const IdentityKey recipient = identity_for(store, destination);
    // The session's step is written only once the message is sealed: a
    // failure in sealing (an allocation, say) leaves the session as it was,
    // whether or not the store can roll back.
    protocol::StagedSessions staged(store);
    const CiphertextMessage message = SessionCipher(staged, local, destination).encrypt(plaintext, random);
    const UnidentifiedSenderMessageContent content(message.type, sender, message.bytes);
    Bytes sealed = seal_v1(content, store.identities().identity_key_pair(), recipient, random);
    staged.commit();
    return sealed;
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
        const IdentityKey identity = identity_for(store, address);
        const auto [entry, is_new] = by_name.emplace(address.name, recipients.size());
        if (is_new) {
            const auto service_id = ServiceId::parse(address.name);
            if (!service_id)
                throw Error(ErrorCode::invalid_argument,
                            "multi-recipient sealed sender needs service ids, not '" + address.name + "'");
            recipients.push_back(SealedRecipient{*service_id, identity, {}});
        }
        // One account, one identity key: the account's devices share the key
        // material sealed to it, which another key would not open.
        SealedRecipient& recipient = recipients[entry->second];
        if (identity != recipient.identity_key || session->remote_identity_key() != recipient.identity_key)
            throw Error(ErrorCode::invalid_argument, "the devices of account " + address.name +
                                                         " are known with different identity keys (" +
                                                         address.to_string() + " differs)");
        recipient.devices.push_back(SealedRecipientDevice{address.device_id, *registration_id});
    }
    return seal_v2(content, store.identities().identity_key_pair(), recipients, excluded, random);
}

SealedSenderDecryptionResult sealed_sender_decrypt(ProtocolStore& store, ByteView ciphertext,
                                                   const PublicKey& trust_root, Timestamp now,
                                                   const SealedSenderRecipient& local, RandomSource& random,
                                                   const SessionOptions& options) {
    const UnsealedContent opened = unseal(ciphertext, store.identities().identity_key_pair(), trust_root, now);
    const UnidentifiedSenderMessageContent& content = opened.content;
    const SenderCertificate& sender = content.sender();

    const bool from_us = sender.sender_uuid() == local.uuid || (local.e164 && sender.sender_e164() == local.e164);
    if (from_us && sender.sender_device_id() == local.device_id)
        throw Error(ErrorCode::invalid_message, "sealed sender message claims to come from this very device");

    const ProtocolAddress remote{sender.sender_uuid(), sender.sender_device_id()};
    // Made before the message is decrypted, which commits it: past that
    // point nothing may fail (an allocation included), or the caller would
    // see an error for a message the store has already taken.
    SealedSenderDecryptionResult result{sender.sender_uuid(), sender.sender_e164(), sender.sender_device_id(),
                                        Bytes{},              content.type(),       content.content_hint(),
                                        content.group_id(),   std::nullopt};
    try {
        result.plaintext = decrypt_content(store, content, ProtocolAddress{local.uuid, local.device_id}, remote,
                                           random, options, result.retry_request);
    } catch (const Error& e) {
        throw SealedSenderDecryptionError(e, content, std::current_exception());
    }
    return result;
}

}  // namespace cliquet
