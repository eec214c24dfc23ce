// The session layer (cliquet/session.hpp): starting a session from a bundle,
// and SessionCipher. Each loads the record, computes (the handshake in
// protocol/handshake/, the triple ratchet in protocol/ratchet/ on the current
// state and then the archived ones), judges the identity, and stores. The ratchet builds the next state aside; the record is
// changed only on success, and the store is written once, inside one
// ProtocolStore::run_atomically.
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "cliquet/error.hpp"
#include "cliquet/service_id.hpp"
#include "cliquet/session.hpp"
#include "protocol/handshake/handshake.hpp"
#include "protocol/handshake/session_builder.hpp"
#include "protocol/ratchet/session_state.hpp"
#include "protocol/ratchet/triple_ratchet.hpp"

namespace cliquet {
namespace {

using protocol::SessionRecordData;
using protocol::SessionState;

// Whether `local` and `remote` are devices of one account (same service id).
bool same_account(const ProtocolAddress& local, const ProtocolAddress& remote) {
    const auto local_id = ServiceId::parse(local.name);
    const auto remote_id = ServiceId::parse(remote.name);
    return local_id && remote_id && *local_id == *remote_id;
}

// A message one of a record's states decrypts: the plaintext, the state
// after it, and which state it was (nullopt: the current one).
struct RecordDecryption {
    Bytes plaintext;
    SessionState next;
    std::optional<std::size_t> archived_index;
};

// Tries the current state, then the archived ones newest first. A duplicate
// in the current state is final: it was that state's message.
RecordDecryption decrypt_record(const SessionRecordData& data, const SignalMessage& message,
                                const protocol::ratchet::ReceiveContext& context, RandomSource& random) {
    std::string last_failure = "no session state";
    if (data.current) {
        try {
            auto decrypted = protocol::ratchet::decrypt(*data.current, message, context, random);
            return {std::move(decrypted.plaintext), std::move(decrypted.next), std::nullopt};
        } catch (const Error& e) {
            if (e.code() == ErrorCode::duplicate_message) throw;
            last_failure = e.what();
        }
    }
    for (std::size_t i = 0; i < data.previous.size(); ++i) {
        try {
            const SessionState archived = SessionState::parse(data.previous[i]->span());
            auto decrypted = protocol::ratchet::decrypt(archived, message, context, random);
            return {std::move(decrypted.plaintext), std::move(decrypted.next), i};
        } catch (const Error& e) {
            if (e.code() == ErrorCode::duplicate_message) throw;
        }
    }
    throw Error(ErrorCode::invalid_message, "no session state decrypts the message (" + last_failure + ")");
}

// The `addresses` a message from `remote` to `local` must carry, if it
// carries any.
std::optional<MessageAddresses> expected_binding(const ProtocolAddress& local, const ProtocolAddress& remote,
                                                 const SignalMessage& message) {
    return message.addresses() ? message_addresses(remote, local) : std::nullopt;
}

// Runs `writes` as one ProtocolStore unit. The std::function holds a
// reference to them, which it keeps inline, where a copy of a lambda with
// several captures would be one more allocation per message.
template <typename Writes>
void write_atomically(ProtocolStore& store, const Writes& writes) {
    store.run_atomically(std::cref(writes));
}

Error no_session(const ProtocolAddress& remote) {
    return Error(ErrorCode::no_session, "no session with " + remote.to_string());
}

void check_bundle(const PreKeyBundle& bundle, const SessionOptions& options) {
    if (bundle.pre_key_id.has_value() != bundle.pre_key.has_value())
        throw Error(ErrorCode::invalid_argument, "bundle has a one-time pre-key without its id, or the reverse");
    const bool kyber_parts[] = {bundle.kyber_pre_key_id.has_value(), bundle.kyber_pre_key.has_value(),
                                bundle.kyber_pre_key_signature.has_value()};
    if (std::adjacent_find(std::begin(kyber_parts), std::end(kyber_parts), std::not_equal_to<>()) !=
        std::end(kyber_parts))
        throw Error(ErrorCode::invalid_argument, "bundle has only part of a Kyber pre-key (id, key, signature)");
    // Without a Kyber pre-key the session would be X3DH, with neither PQXDH
    // nor SPQR: exactly what a server stripping the key would want.
    if (!bundle.kyber_pre_key && options.pq_ratchet == PqRatchetPolicy::require)
        throw Error(ErrorCode::unsupported,
                    "the bundle has no Kyber pre-key, and PqRatchetPolicy::require refuses X3DH sessions");

    const IdentityKey& identity = bundle.identity_key;
    if (!identity.verify(bundle.signed_pre_key.serialize(), bundle.signed_pre_key_signature))
        throw Error(ErrorCode::invalid_signature, "the signed pre-key's signature does not verify");
    if (bundle.kyber_pre_key) {
        if (bundle.kyber_pre_key->type() != KemType::kyber1024)
            throw Error(ErrorCode::invalid_key, "PQXDH needs a Kyber1024 pre-key");
        if (!identity.verify(bundle.kyber_pre_key->serialize(), *bundle.kyber_pre_key_signature))
            throw Error(ErrorCode::invalid_signature, "the Kyber pre-key's signature does not verify");
    }
}

}  // namespace

void process_pre_key_bundle(ProtocolStore& store, const ProtocolAddress& address, const PreKeyBundle& bundle,
                           RandomSource& random, const SessionOptions& options) {
    process_pre_key_bundle(store, address, bundle, random, current_time(options.clock), options);
}

void process_pre_key_bundle(ProtocolStore& store, const ProtocolAddress& address, const PreKeyBundle& bundle,
                           RandomSource& random, Timestamp now, const SessionOptions& options) {
    IdentityKeyStore& identities = store.identities();
    if (!identities.is_trusted_identity(address, bundle.identity_key, Direction::sending))
        throw UntrustedIdentityError(address, bundle.identity_key);
    check_bundle(bundle, options);

    SessionRecord record = store.sessions().load_session(address).value_or(SessionRecord());

    // Drawn in libsignal's order: base key, Kyber encapsulation, ratchet key.
    const KeyPair base_key = KeyPair::generate(random);
    std::optional<KemEncapsulation> kyber;
    if (bundle.kyber_pre_key) kyber = bundle.kyber_pre_key->encapsulate(random);
    const KeyPair first_ratchet_key = KeyPair::generate(random);

    protocol::SessionState state = protocol::initialize_alice({
        .our_identity = identities.identity_key_pair(),
        .our_base_key = base_key,
        .our_first_ratchet_key = first_ratchet_key,
        .their_identity = bundle.identity_key,
        .their_signed_pre_key = bundle.signed_pre_key,
        .their_one_time_pre_key = bundle.pre_key,
        .kyber = kyber ? &*kyber : nullptr,
        .pq_min_version = protocol::pq_min_version(options.pq_ratchet),
    });
    protocol::PendingPreKey pending{
        .pre_key_id = bundle.pre_key_id,
        .signed_pre_key_id = bundle.signed_pre_key_id,
        .base_key = base_key.public_key.serialize(),
        .kyber_pre_key_id = bundle.kyber_pre_key_id,
        .kyber_ciphertext = kyber ? kyber->ciphertext : Bytes{},
    };
    state.set_pending_pre_key(pending, now);
    state.set_registration_ids(identities.local_registration_id(), bundle.registration_id);
    record.data().promote(std::move(state));

    write_atomically(store, [&] {
        identities.save_identity(address, bundle.identity_key);
        store.sessions().store_session(address, std::move(record));
    });
}

CiphertextMessage SessionCipher::encrypt(ByteView plaintext, RandomSource& random) {
    const Timestamp now = current_time(options_.clock);
    std::optional<SessionRecord> record = store_.sessions().load_session(remote_);
    if (!record || !record->has_current_state()) throw no_session(remote_);
    // libsignal's choice: a session that falls short (by default, one
    // unanswered for 30 days) is as good as none; the app fetches a bundle.
    if (!record->has_usable_sender_chain(now, options_.requirements))
        throw Error(ErrorCode::no_session,
                    "the session with " + remote_.to_string() + " is stale or falls short of the requirements");
    SessionRecordData& data = record->data();
    const SessionState& state = *data.current;
    // Until the peer answers, messages name both ends, as libsignal's do.
    const auto binding = state.pending_pre_key() ? message_addresses(local_, remote_) : std::nullopt;
    auto encrypted = protocol::ratchet::encrypt(state, plaintext, binding, random);
    if (!store_.identities().is_trusted_identity(remote_, state.remote_identity(), Direction::sending))
        throw UntrustedIdentityError(remote_, state.remote_identity());

    data.current = std::make_shared<const SessionState>(std::move(encrypted.next));
    write_atomically(store_, [&] { store_.sessions().store_session(remote_, std::move(*record)); });
    return std::move(encrypted.message);
}

Bytes SessionCipher::decrypt(CiphertextType type, ByteView bytes, RandomSource& random) {
    switch (type) {
        case CiphertextType::pre_key: return decrypt(PreKeySignalMessage::deserialize(bytes), random);
        case CiphertextType::whisper: return decrypt(SignalMessage::deserialize(bytes), random);
        default: throw Error(ErrorCode::invalid_argument, "SessionCipher decrypts only pre_key and whisper messages");
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
    const protocol::PreKeysUsed used = protocol::process_pre_key_message(store_, record, message, options_);
    SessionRecordData& data = record.data();
    // The inner message opens only with the state the pre-key message set up
    // or named, which process_pre_key_message made current; never with an
    // archived one, so an envelope cannot borrow another state's keys
    // (libsignal refuses it alike).
    const auto is_same_account = [this] { return same_account(local_, remote_); };
    const protocol::ratchet::ReceiveContext context{is_same_account,
                                                    expected_binding(local_, remote_, message.message())};
    std::optional<protocol::ratchet::Decrypted> decrypted;
    try {
        decrypted.emplace(protocol::ratchet::decrypt(*data.current, message.message(), context, random));
    } catch (const Error& e) {
        if (e.code() == ErrorCode::duplicate_message) throw;
        throw Error(ErrorCode::invalid_message,
                    std::string("the pre-key message does not decrypt with the session it sets up (") + e.what() + ")");
    }
    decrypted->next.set_peer_answered_at(current_time(options_.clock));
    data.current = std::make_shared<const SessionState>(std::move(decrypted->next));
    Bytes plaintext = std::move(decrypted->plaintext);

    write_atomically(store_, [&] {
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
    std::optional<SessionRecord> record = store_.sessions().load_session(remote_);
    if (!record) throw no_session(remote_);
    SessionRecordData& data = record->data();
    if (!data.current && data.previous.empty()) throw no_session(remote_);
    const auto is_same_account = [this] { return same_account(local_, remote_); };
    const protocol::ratchet::ReceiveContext context{is_same_account, expected_binding(local_, remote_, message)};
    RecordDecryption decryption = decrypt_record(data, message, context, random);

    IdentityKeyStore& identities = store_.identities();
    const IdentityKey their_identity = decryption.next.remote_identity();
    if (!identities.is_trusted_identity(remote_, their_identity, Direction::receiving))
        throw UntrustedIdentityError(remote_, their_identity);
    decryption.next.set_peer_answered_at(current_time(options_.clock));
    // The state that decrypted becomes current; an archived one takes the
    // place of the current one, which is archived.
    if (decryption.archived_index)
        data.promote_archived(*decryption.archived_index, std::move(decryption.next));
    else
        data.current = std::make_shared<const SessionState>(std::move(decryption.next));

    write_atomically(store_, [&] {
        identities.save_identity(remote_, their_identity);
        store_.sessions().store_session(remote_, std::move(*record));
    });
    return std::move(decryption.plaintext);
}

}  // namespace cliquet
