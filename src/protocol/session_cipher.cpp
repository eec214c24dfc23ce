#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cliquet/error.hpp"
#include "cliquet/service_id.hpp"
#include "cliquet/session.hpp"
#include "crypto/aes.hpp"
#include "protocol/session_builder.hpp"
#include "protocol/session_state.hpp"

namespace cliquet {
namespace {

using protocol::ChainKey;
using protocol::Key32;
using protocol::MessageKeys;
using protocol::MessageKeySource;
using protocol::RootKey;
using protocol::SessionRecordData;
using protocol::SessionState;

// A DH ratchet step, computed but not yet applied.
struct RatchetStep {
    RootKey root_key;
    ChainKey receiving;
    KeyPair our_new_ratchet_key;
    ChainKey sending;
};

// Everything decrypting one message changes in a state. It is computed
// first and applied only once the MAC and the padding check out, so a
// message that fails leaves the state untouched.
struct ReceiveStep {
    std::optional<RatchetStep> ratchet;
    std::optional<MessageKeySource> keys;
    bool from_skipped = false;
    // For a message at or ahead of the chain: the seeds of the messages it
    // skips (at most as many as a chain keeps), and the chain key after it.
    std::vector<std::pair<std::uint32_t, Key32>> skipped_seeds;
    std::optional<ChainKey> next_chain_key;
    // The SPQR state after the message (version 4).
    std::optional<protocol::spqr::PqRatchet> pq_ratchet;
};

RatchetStep ratchet_step(const SessionState& state, const PublicKey& their_ratchet_key, RandomSource& random) {
    auto [root_key, receiving] = state.root_key().create_chain(their_ratchet_key, state.sender_ratchet_private_key());
    KeyPair our_new_ratchet_key = KeyPair::generate(random);
    auto [next_root_key, sending] = root_key.create_chain(their_ratchet_key, our_new_ratchet_key.private_key);
    return {next_root_key, receiving, std::move(our_new_ratchet_key), sending};
}

ReceiveStep plan_receive(const SessionState& state, const SignalMessage& message, std::uint32_t max_forward_jumps,
                         RandomSource& random) {
    const PublicKey& their_ratchet_key = message.sender_ratchet_key();
    const std::uint32_t counter = message.counter();
    ReceiveStep step;
    // A ratchet key not seen before starts a new receiving chain.
    std::optional<ChainKey> chain = state.receiver_chain_key(their_ratchet_key);
    if (!chain) {
        step.ratchet.emplace(ratchet_step(state, their_ratchet_key, random));
        chain = step.ratchet->receiving;
    }
    if (chain->index() > counter) {
        auto skipped = step.ratchet ? std::nullopt : state.skipped_keys(their_ratchet_key, counter);
        if (!skipped)
            throw Error(ErrorCode::duplicate_message, "message " + std::to_string(counter) + " was already received");
        step.keys.emplace(*skipped);
        step.from_skipped = true;
        return step;
    }
    // Refused before any derivation: a hostile counter costs nothing.
    if (counter - chain->index() > max_forward_jumps)
        throw Error(ErrorCode::invalid_message, "message counter jumps more than " +
                                                    std::to_string(max_forward_jumps) + " ahead");
    // Only the newest kMaxMessageKeys skipped keys would be kept anyway.
    const std::uint32_t first_kept =
        counter - chain->index() > protocol::kMaxMessageKeys ? counter - static_cast<std::uint32_t>(protocol::kMaxMessageKeys)
                                                             : chain->index();
    ChainKey current = *chain;
    while (current.index() < counter) {
        if (current.index() >= first_kept) step.skipped_seeds.emplace_back(current.index(), current.message_key_seed());
        current = current.next();
    }
    auto [keys, next_chain_key] = current.step();
    step.keys.emplace(keys);
    step.next_chain_key = next_chain_key;
    return step;
}

void apply_receive(SessionState& state, const PublicKey& their_ratchet_key, ReceiveStep& step) {
    if (step.ratchet) {
        const std::uint32_t sent_on_old_chain = state.sender_chain_key().index();
        state.set_root_key(step.ratchet->root_key);
        state.add_receiver_chain(their_ratchet_key, step.ratchet->receiving);
        state.set_previous_counter(sent_on_old_chain > 0 ? sent_on_old_chain - 1 : 0);
        state.set_sender_chain(step.ratchet->our_new_ratchet_key, step.ratchet->sending);
    }
    if (step.from_skipped) {
        state.remove_skipped_keys(their_ratchet_key, step.keys->counter());
    } else {
        for (const auto& [index, seed] : step.skipped_seeds) state.store_skipped_seed(their_ratchet_key, index, seed);
        state.set_receiver_chain_key(their_ratchet_key, *step.next_chain_key);
    }
    if (step.pq_ratchet) state.set_pq_ratchet(std::move(*step.pq_ratchet));
    // The peer has answered: stop sending pre-key messages.
    state.clear_pending_pre_key();
}

// What the message's SPQR field yields against the state's SPQR: its key, if
// any, and the SPQR state to adopt once the MAC verifies. Every SPQR refusal
// is an invalid message, as libsignal reports it: a replay was already caught
// as duplicate_message by the Double Ratchet's counter check.
protocol::spqr::PqRatchet::Received receive_pq_ratchet(const SessionState& state, const SignalMessage& message) {
    const protocol::spqr::PqRatchet pq_ratchet = state.pq_ratchet();
    try {
        return pq_ratchet.recv(message.pq_ratchet());
    } catch (const Error& e) {
        if (e.code() != ErrorCode::duplicate_message) throw;
        throw Error(ErrorCode::invalid_message, std::string("post-quantum ratchet: ") + e.what());
    }
}

// The two ends of the conversation a cipher serves.
struct Conversation {
    const ProtocolAddress& local;
    const ProtocolAddress& remote;
};

// A session with another device of one's own account (same identity key,
// same service id): a linked device that was long offline may be far behind,
// so libsignal lifts the forward-jump limit there. The skipped keys kept stay
// bounded by kMaxMessageKeys either way.
bool is_self_session(const SessionState& state, const Conversation& conversation) {
    if (state.local_identity() != state.remote_identity()) return false;
    const auto local = ServiceId::parse(conversation.local.name);
    const auto remote = ServiceId::parse(conversation.remote.name);
    return local && remote && *local == *remote;
}

// A message that names its sender and recipient (libsignal's `addresses`,
// under the MAC) must name this conversation's; older senders name none.
void check_addresses(const SignalMessage& message, const Conversation& conversation) {
    if (!message.addresses()) return;
    const auto expected = message_addresses(conversation.remote, conversation.local);
    const Bytes& received = *message.addresses();
    if (!expected || received.size() != expected->size() || !constant_time_equal(*expected, received))
        throw Error(ErrorCode::invalid_message, "the message is bound to another sender or recipient");
}

// A message one state decrypts, and the step that state would take.
struct StateDecryption {
    ReceiveStep step;
    Bytes plaintext;
};

// Decrypts with one state, without changing it.
StateDecryption decrypt_with_state(const SessionState& state, const SignalMessage& message,
                                   const Conversation& conversation, RandomSource& random) {
    if (!state.has_sender_chain()) throw Error(ErrorCode::invalid_message, "state has no chains");
    if (message.message_version() != state.version())
        throw Error(ErrorCode::invalid_message, "message version " + std::to_string(message.message_version()) +
                                                    " does not match session version " +
                                                    std::to_string(state.version()));
    const std::uint32_t max_forward_jumps = is_self_session(state, conversation)
                                                ? std::numeric_limits<std::uint32_t>::max()
                                                : protocol::kMaxForwardJumps;
    // The Double Ratchet first, so that a replay is a duplicate_message.
    ReceiveStep step = plan_receive(state, message, max_forward_jumps, random);
    auto pq_step = receive_pq_ratchet(state, message);
    const MessageKeys keys = step.keys->keys(pq_step.key);
    if (!message.verify_mac(state.remote_identity(), state.local_identity(), keys.mac_key.span()))
        throw Error(ErrorCode::invalid_message, "message MAC does not verify");
    check_addresses(message, conversation);
    Bytes plaintext = crypto::aes256_cbc_decrypt(keys.cipher_key.span(), keys.iv.span(), message.ciphertext());
    step.pq_ratchet.emplace(std::move(pq_step.next));
    return {std::move(step), std::move(plaintext)};
}

// A message one of a record's states decrypts, and what that changes in the
// record, not yet applied: either the current state's step, or archived
// state `archived_index` as it is after the message (a parsed copy).
struct RecordDecryption {
    Bytes plaintext;
    std::optional<ReceiveStep> current_step;
    std::size_t archived_index = 0;
    std::optional<SessionState> archived;

    const SessionState& state(const SessionRecordData& data) const { return archived ? *archived : *data.current; }
};

// Tries the current state, then the archived ones newest first. Changes
// nothing in `data`.
RecordDecryption plan_decrypt(const SessionRecordData& data, const SignalMessage& message,
                              const Conversation& conversation, RandomSource& random) {
    std::string last_failure = "no session state";
    if (data.current) {
        try {
            StateDecryption decrypted = decrypt_with_state(*data.current, message, conversation, random);
            return {std::move(decrypted.plaintext), std::move(decrypted.step), 0, std::nullopt};
        } catch (const Error& e) {
            if (e.code() == ErrorCode::duplicate_message) throw;
            last_failure = e.what();
        }
    }
    for (std::size_t i = 0; i < data.previous.size(); ++i) {
        std::optional<SessionState> archived;
        try {
            archived.emplace(SessionState::parse(data.previous[i]->span()));
            StateDecryption decrypted = decrypt_with_state(*archived, message, conversation, random);
            apply_receive(*archived, message.sender_ratchet_key(), decrypted.step);
            return {std::move(decrypted.plaintext), std::nullopt, i, std::move(archived)};
        } catch (const Error& e) {
            if (e.code() == ErrorCode::duplicate_message) throw;
        }
    }
    throw Error(ErrorCode::invalid_message, "no session state decrypts the message (" + last_failure + ")");
}

// Applies a planned decryption; the state that decrypted becomes current,
// and records that the peer answered at `now`.
void apply_decrypt(SessionRecordData& data, const SignalMessage& message, RecordDecryption& decryption,
                   Timestamp now) {
    if (decryption.current_step)
        apply_receive(*data.current, message.sender_ratchet_key(), *decryption.current_step);
    else
        data.promote_archived(decryption.archived_index, std::move(*decryption.archived));
    data.current->set_peer_answered_at(now);
}

// The inner message of a pre-key message opens only with the state that
// message set up or named, which process_prekey_message made current; never
// with an archived one, so an envelope cannot borrow another state's keys
// (libsignal refuses it alike). Changes nothing in `data`.
StateDecryption plan_prekey_decrypt(const SessionRecordData& data, const SignalMessage& message,
                                    const Conversation& conversation, RandomSource& random) {
    try {
        return decrypt_with_state(*data.current, message, conversation, random);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::duplicate_message) throw;
        throw Error(ErrorCode::invalid_message,
                    std::string("the pre-key message does not decrypt with the session it sets up (") + e.what() + ")");
    }
}

Error no_session(const ProtocolAddress& remote) {
    return Error(ErrorCode::no_session, "no session with " + remote.to_string());
}

}  // namespace

// encrypt and decrypt work on the record through update_session, which may
// lend them the stored record itself: everything that can fail (the message,
// the MAC, the trust check, an allocation) comes before the first change.
CiphertextMessage SessionCipher::encrypt(ByteView plaintext, RandomSource& random) {
    CiphertextMessage out;
    const Timestamp now = current_time(options_.clock);
    const auto encrypt_with = [&](SessionRecord& record) {
        if (!record.has_current_state()) throw no_session(remote_);
        // libsignal's choice: a session that falls short (by default, one
        // unanswered for 30 days) is as good as none; the app fetches a bundle.
        if (!record.has_usable_sender_chain(now, options_.requirements))
            throw Error(ErrorCode::no_session, "the session with " + remote_.to_string() +
                                                   " is stale or falls short of the requirements");
        SessionState& state = *record.data().current;

        // SPQR first: its key, if it has one yet, salts the message keys.
        protocol::spqr::PqRatchet pq_ratchet = state.pq_ratchet();
        const auto pq_sent = pq_ratchet.send(random);
        const ChainKey chain = state.sender_chain_key();
        const auto [key_source, next_chain] = chain.step();
        const MessageKeys keys = key_source.keys(pq_sent.key);
        const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), plaintext);
        const IdentityKey local_identity = state.local_identity();
        const IdentityKey remote_identity = state.remote_identity();
        const std::optional<protocol::PendingPreKey> pending = state.pending_pre_key();
        // Until the peer answers, messages name both ends, as libsignal's do.
        const auto addresses = pending ? message_addresses(local_, remote_) : std::nullopt;
        SignalMessage message = SignalMessage::create(state.version(), state.sender_ratchet_key(), chain.index(),
                                                      state.previous_counter(), ciphertext, local_identity,
                                                      remote_identity, keys.mac_key.span(), pq_sent.message, addresses);

        if (pending) {
            std::optional<KyberPayload> kyber;
            if (pending->kyber_pre_key_id) kyber = KyberPayload{*pending->kyber_pre_key_id, pending->kyber_ciphertext};
            const PublicKey base_key = PublicKey::deserialize(pending->base_key);
            auto prekey_message = PreKeySignalMessage::create(state.version(), state.local_registration_id(),
                                                              pending->pre_key_id, pending->signed_pre_key_id,
                                                              std::move(kyber), base_key, local_identity, std::move(message));
            out = {CiphertextType::prekey, prekey_message.serialize()};
        } else {
            out = {CiphertextType::whisper, std::move(message).take_serialized()};
        }

        if (!store_.identities().is_trusted_identity(remote_, remote_identity, Direction::sending))
            throw UntrustedIdentityError(remote_, remote_identity);
        // Setting the fields allocates, which may fail: the new state is
        // made aside and takes the lent one's place by a move that cannot.
        SessionState next = state;
        next.set_sender_chain_key(next_chain);
        next.set_pq_ratchet(std::move(pq_ratchet));
        state = std::move(next);
        return true;
    };
    store_.run_atomically([&] {
        if (!store_.sessions().update_session(remote_, encrypt_with)) throw no_session(remote_);
    });
    return out;
}

Bytes SessionCipher::decrypt(CiphertextType type, ByteView bytes, RandomSource& random) {
    switch (type) {
        case CiphertextType::prekey: return decrypt(PreKeySignalMessage::deserialize(bytes), random);
        case CiphertextType::whisper: return decrypt(SignalMessage::deserialize(bytes), random);
        default: throw Error(ErrorCode::invalid_argument, "SessionCipher decrypts only prekey and whisper messages");
    }
}

// Loads, computes on a copy, and writes only once the message has decrypted:
// a refused pre-key message consumes no pre-key, saves no identity and
// leaves the record as it was.
Bytes SessionCipher::decrypt(const PreKeySignalMessage& message, RandomSource& random) {
    IdentityKeyStore& identities = store_.identities();
    if (!identities.is_trusted_identity(remote_, message.identity_key(), Direction::receiving))
        throw UntrustedIdentityError(remote_, message.identity_key());

    SessionRecord record = store_.sessions().load_session(remote_).value_or(SessionRecord());
    const protocol::PreKeysUsed used = protocol::process_prekey_message(store_, record, message, options_);
    SessionRecordData& data = record.data();
    StateDecryption decrypted = plan_prekey_decrypt(data, message.message(), {local_, remote_}, random);
    apply_receive(*data.current, message.message().sender_ratchet_key(), decrypted.step);
    data.current->set_peer_answered_at(current_time(options_.clock));
    Bytes plaintext = std::move(decrypted.plaintext);

    store_.run_atomically([&] {
        // First: the only write that can refuse (a reused base key), so
        // that a refusal finds nothing written, even in a store that cannot
        // roll back.
        if (used.kyber_pre_key_id)
            store_.kyber_pre_keys().mark_kyber_pre_key_used(*used.kyber_pre_key_id, used.signed_pre_key_id,
                                                            message.base_key());
        identities.save_identity(remote_, message.identity_key());
        store_.sessions().store_session(remote_, std::move(record));
        if (used.pre_key_id) store_.pre_keys().remove_pre_key(*used.pre_key_id);
    });
    return plaintext;
}

Bytes SessionCipher::decrypt(const SignalMessage& message, RandomSource& random) {
    Bytes plaintext;
    const auto decrypt_with = [&](SessionRecord& record) {
        SessionRecordData& data = record.data();
        if (!data.current && data.previous.empty()) throw no_session(remote_);
        RecordDecryption decryption = plan_decrypt(data, message, {local_, remote_}, random);

        IdentityKeyStore& identities = store_.identities();
        const IdentityKey their_identity = decryption.state(data).remote_identity();
        if (!identities.is_trusted_identity(remote_, their_identity, Direction::receiving))
            throw UntrustedIdentityError(remote_, their_identity);
        // Applying allocates, which may fail: the record's new data is made
        // aside (archived states are shared, so this copies one state) and
        // takes the lent record's place, after the last write that can
        // fail, by a move that cannot.
        SessionRecordData next = data;
        apply_decrypt(next, message, decryption, current_time(options_.clock));
        identities.save_identity(remote_, their_identity);
        data = std::move(next);
        plaintext = std::move(decryption.plaintext);
        return true;
    };
    store_.run_atomically([&] {
        if (!store_.sessions().update_session(remote_, decrypt_with)) throw no_session(remote_);
    });
    return plaintext;
}

}  // namespace cliquet
