#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/session.hpp"
#include "crypto/curve25519.hpp"
#include "protocol/handshake/handshake.hpp"
#include "protocol/handshake/session_builder.hpp"
#include "protocol/ratchet/session_state.hpp"

namespace cliquet::protocol {
namespace {

bool belongs_to(const SessionState& state, const PreKeySignalMessage& message, const Bytes& base_key) {
    const ByteView alice_base_key = state.alice_base_key();
    return state.version() == message.message_version() && alice_base_key.size() == base_key.size() &&
           std::equal(base_key.begin(), base_key.end(), alice_base_key.begin());
}

}  // namespace

spqr::Version pq_min_version(PqRatchetPolicy policy) noexcept {
    return policy == PqRatchetPolicy::require ? spqr::Version::v1 : spqr::Version::v0;
}

PreKeysUsed process_pre_key_message(ProtocolStore& store, SessionRecord& record, const PreKeySignalMessage& message,
                                   const SessionOptions& options) {
    SessionRecordData& data = record.data();
    const Bytes base_key = message.base_key().serialize();
    // A state this message's handshake already set up answers for it only if
    // it is with the identity the envelope names: the envelope is not under
    // any MAC, so anyone can rewrap a message with another identity key.
    const auto check_same_identity = [&](const SessionState& state) {
        if (state.remote_identity() != message.identity_key())
            throw Error(ErrorCode::invalid_message,
                        "the pre-key message's identity key is not the one of the session its base key names");
    };
    if (data.current && belongs_to(*data.current, message, base_key)) {
        check_same_identity(*data.current);
        return {};
    }
    for (std::size_t i = 0; i < data.previous.size(); ++i) {
        std::optional<SessionState> archived;
        try {
            archived.emplace(SessionState::parse(data.previous[i]->span()));
        } catch (const Error&) {
            continue;  // a state this build cannot use is no match
        }
        if (belongs_to(*archived, message, base_key)) {
            check_same_identity(*archived);
            data.promote_archived(i, std::move(*archived));
            return {};
        }
    }

    // Checked only for a new handshake, as libsignal does: a session that
    // already exists was set up when the policy allowed it.
    if (message.message_version() == kX3dhVersion && options.pq_ratchet == PqRatchetPolicy::require)
        throw Error(ErrorCode::invalid_message,
                    "a version-3 (X3DH) pre-key message, which PqRatchetPolicy::require refuses");

    const auto signed_pre_key = store.signed_pre_keys().load_signed_pre_key(message.signed_pre_key_id());
    if (!signed_pre_key)
        throw Error(ErrorCode::invalid_pre_key, "no signed pre-key " + std::to_string(message.signed_pre_key_id()));
    std::optional<KyberPreKeyRecord> kyber_pre_key;
    if (message.kyber()) {
        kyber_pre_key = store.kyber_pre_keys().load_kyber_pre_key(message.kyber()->pre_key_id);
        if (!kyber_pre_key)
            throw Error(ErrorCode::invalid_pre_key, "no Kyber pre-key " + std::to_string(message.kyber()->pre_key_id));
    }
    std::optional<PreKeyRecord> one_time_pre_key;
    if (message.pre_key_id()) {
        one_time_pre_key = store.pre_keys().load_pre_key(*message.pre_key_id());
        if (!one_time_pre_key)
            throw Error(ErrorCode::invalid_pre_key, "no one-time pre-key " + std::to_string(*message.pre_key_id()) +
                                                       " (unknown or already used)");
    }

    // libsignal 0.74 and later refuse these too; an honest key always passes.
    if (!crypto::is_canonical_public_key(message.base_key().montgomery()))
        throw Error(ErrorCode::invalid_message, "the pre-key message's base key is not canonical");

    const IdentityKeyStore& identities = store.identities();
    SessionState state = initialize_bob({
        .our_identity = identities.identity_key_pair(),
        .our_signed_pre_key = signed_pre_key->key_pair(),
        .our_one_time_pre_key = one_time_pre_key ? &one_time_pre_key->key_pair() : nullptr,
        .their_identity = message.identity_key(),
        .their_base_key = message.base_key(),
        .our_kyber_pre_key = kyber_pre_key ? &kyber_pre_key->key_pair().secret_key : nullptr,
        .kyber_ciphertext = message.kyber() ? ByteView(message.kyber()->ciphertext) : ByteView(),
        .pq_min_version = pq_min_version(options.pq_ratchet),
    });
    state.set_registration_ids(identities.local_registration_id(), message.registration_id());
    state.set_created_at(current_time(options.clock));
    data.promote(std::move(state));

    PreKeysUsed used;
    used.pre_key_id = message.pre_key_id();
    if (message.kyber()) used.kyber_pre_key_id = message.kyber()->pre_key_id;
    used.signed_pre_key_id = message.signed_pre_key_id();
    return used;
}

}  // namespace cliquet::protocol
