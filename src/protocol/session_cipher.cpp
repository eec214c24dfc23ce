#include <string>

#include "cliquet/error.hpp"
#include "cliquet/session.hpp"
#include "crypto/aes.hpp"
#include "protocol/session_builder.hpp"
#include "protocol/session_state.hpp"

namespace cliquet {
namespace {

using protocol::ChainKey;
using protocol::MessageKeys;
using protocol::SessionRecordData;
using protocol::SessionState;

// The receiving chain for `their_ratchet_key`; a key not seen before takes
// a DH ratchet step: a receiving chain for it and a fresh sending chain.
ChainKey receiver_chain(SessionState& state, const PublicKey& their_ratchet_key, RandomSource& random) {
    if (auto existing = state.receiver_chain_key(their_ratchet_key)) return *existing;

    auto [root_key, receiving] = state.root_key().create_chain(their_ratchet_key, state.sender_ratchet_private_key());
    const KeyPair our_new_ratchet_key = KeyPair::generate(random);
    auto [next_root_key, sending] = root_key.create_chain(their_ratchet_key, our_new_ratchet_key.private_key);

    const std::uint32_t sent_on_old_chain = state.sender_chain_key().index();
    state.set_root_key(next_root_key);
    state.add_receiver_chain(their_ratchet_key, receiving);
    state.set_previous_counter(sent_on_old_chain > 0 ? sent_on_old_chain - 1 : 0);
    state.set_sender_chain(our_new_ratchet_key, sending);
    return receiving;
}

// The keys of message `counter` on the chain: stored ones for a late
// message, else derived by stepping forward and keeping the skipped seeds.
MessageKeys message_keys(SessionState& state, const PublicKey& their_ratchet_key, const ChainKey& chain,
                         std::uint32_t counter) {
    if (chain.index() > counter) {
        if (auto skipped = state.take_skipped_keys(their_ratchet_key, counter)) return std::move(*skipped);
        throw Error(ErrorCode::duplicate_message, "message " + std::to_string(counter) + " was already received");
    }
    // Refused before any derivation: a hostile counter costs nothing.
    if (counter - chain.index() > protocol::kMaxForwardJumps)
        throw Error(ErrorCode::invalid_message, "message counter jumps more than 25000 ahead");
    ChainKey current = chain;
    while (current.index() < counter) {
        state.store_skipped_seed(their_ratchet_key, current.index(), current.message_key_seed());
        current = current.next();
    }
    state.set_receiver_chain_key(their_ratchet_key, current.next());
    return current.message_keys();
}

Bytes decrypt_with_state(SessionState& state, const SignalMessage& message, RandomSource& random) {
    if (!state.has_sender_chain()) throw Error(ErrorCode::invalid_message, "state has no chains");
    if (message.message_version() != state.version())
        throw Error(ErrorCode::invalid_message, "message version " + std::to_string(message.message_version()) +
                                                    " does not match session version " +
                                                    std::to_string(state.version()));
    const PublicKey& their_ratchet_key = message.sender_ratchet_key();
    const ChainKey chain = receiver_chain(state, their_ratchet_key, random);
    const MessageKeys keys = message_keys(state, their_ratchet_key, chain, message.counter());
    if (!message.verify_mac(state.remote_identity(), state.local_identity(), keys.mac_key.span()))
        throw Error(ErrorCode::invalid_message, "message MAC does not verify");
    Bytes plaintext = crypto::aes256_cbc_decrypt(keys.cipher_key.span(), keys.iv.span(), message.ciphertext());
    // The peer has answered: stop sending pre-key messages.
    state.clear_pending_pre_key();
    return plaintext;
}

// Tries the current state, then the archived ones newest first; the state
// that decrypts becomes current. Every attempt works on a copy.
Bytes decrypt_with_record(SessionRecordData& data, const SignalMessage& message, RandomSource& random) {
    std::string last_failure = "no session state";
    if (data.current) {
        SessionState attempt = *data.current;
        try {
            Bytes plaintext = decrypt_with_state(attempt, message, random);
            data.current.emplace(std::move(attempt));
            return plaintext;
        } catch (const Error& e) {
            if (e.code() == ErrorCode::duplicate_message) throw;
            last_failure = e.what();
        }
    }
    for (std::size_t i = 0; i < data.previous.size(); ++i) {
        std::optional<SessionState> attempt;
        try {
            attempt.emplace(SessionState::parse(data.previous[i]->span()));
            Bytes plaintext = decrypt_with_state(*attempt, message, random);
            data.promote_archived(i, std::move(*attempt));
            return plaintext;
        } catch (const Error& e) {
            if (e.code() == ErrorCode::duplicate_message) throw;
        }
    }
    throw Error(ErrorCode::invalid_message, "no session state decrypts the message (" + last_failure + ")");
}

}  // namespace

CiphertextMessage SessionCipher::encrypt(ByteView plaintext) {
    auto record = store_.sessions().load_session(remote_);
    if (!record || !record->has_current_state())
        throw Error(ErrorCode::no_session, "no session with " + remote_.to_string());
    SessionState& state = *record->data().current;

    const ChainKey chain = state.sender_chain_key();
    const MessageKeys keys = chain.message_keys();
    const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), plaintext);
    const IdentityKey local_identity = state.local_identity();
    const IdentityKey remote_identity = state.remote_identity();
    SignalMessage message =
        SignalMessage::create(state.version(), state.sender_ratchet_key(), chain.index(), state.previous_counter(),
                              ciphertext, local_identity, remote_identity, keys.mac_key.span());

    CiphertextMessage out;
    if (auto pending = state.pending_pre_key()) {
        std::optional<KyberPayload> kyber;
        if (pending->kyber_pre_key_id) kyber = KyberPayload{*pending->kyber_pre_key_id, pending->kyber_ciphertext};
        const PublicKey base_key = PublicKey::deserialize(pending->base_key);
        auto prekey_message = PreKeySignalMessage::create(state.version(), state.local_registration_id(),
                                                          pending->pre_key_id, pending->signed_pre_key_id,
                                                          std::move(kyber), base_key, local_identity, std::move(message));
        out = {CiphertextType::prekey, prekey_message.serialize()};
    } else {
        out = {CiphertextType::whisper, message.serialize()};
    }
    state.set_sender_chain_key(chain.next());

    if (!store_.identities().is_trusted_identity(remote_, remote_identity, Direction::sending))
        throw Error(ErrorCode::untrusted_identity, "untrusted identity for " + remote_.to_string());
    store_.run_atomically([&] { store_.sessions().store_session(remote_, std::move(*record)); });
    return out;
}

Bytes SessionCipher::decrypt(CiphertextType type, ByteView bytes, RandomSource& random) {
    switch (type) {
        case CiphertextType::prekey: return decrypt(PreKeySignalMessage::deserialize(bytes), random);
        case CiphertextType::whisper: return decrypt(SignalMessage::deserialize(bytes), random);
        default: throw Error(ErrorCode::invalid_argument, "SessionCipher decrypts only prekey and whisper messages");
    }
}

Bytes SessionCipher::decrypt(const PreKeySignalMessage& message, RandomSource& random) {
    IdentityKeyStore& identities = store_.identities();
    if (!identities.is_trusted_identity(remote_, message.identity_key(), Direction::receiving))
        throw Error(ErrorCode::untrusted_identity, "untrusted identity for " + remote_.to_string());

    SessionRecord record = store_.sessions().load_session(remote_).value_or(SessionRecord());
    const protocol::PreKeysUsed used = protocol::process_prekey_message(store_, record, message);
    Bytes plaintext = decrypt_with_record(record.data(), message.message(), random);

    store_.run_atomically([&] {
        identities.save_identity(remote_, message.identity_key());
        store_.sessions().store_session(remote_, std::move(record));
        if (used.pre_key_id) store_.pre_keys().remove_pre_key(*used.pre_key_id);
        if (used.kyber_pre_key_id) store_.kyber_pre_keys().mark_kyber_pre_key_used(*used.kyber_pre_key_id);
    });
    return plaintext;
}

Bytes SessionCipher::decrypt(const SignalMessage& message, RandomSource& random) {
    auto record = store_.sessions().load_session(remote_);
    if (!record || (!record->data().current && record->data().previous.empty()))
        throw Error(ErrorCode::no_session, "no session with " + remote_.to_string());
    Bytes plaintext = decrypt_with_record(record->data(), message, random);

    IdentityKeyStore& identities = store_.identities();
    const IdentityKey their_identity = record->data().current->remote_identity();
    if (!identities.is_trusted_identity(remote_, their_identity, Direction::receiving))
        throw Error(ErrorCode::untrusted_identity, "untrusted identity for " + remote_.to_string());
    store_.run_atomically([&] {
        identities.save_identity(remote_, their_identity);
        store_.sessions().store_session(remote_, std::move(*record));
    });
    return plaintext;
}

}  // namespace cliquet
