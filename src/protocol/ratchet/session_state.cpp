#include "protocol/ratchet/session_state.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "cliquet/error.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/wire/proto_writer.hpp"
#include "storage.pb.h"

namespace cliquet::protocol {

using proto::storage::SessionStructure;

namespace {

// A whole record with 40 archived states and full skipped-key lists stays
// well under this.
constexpr std::size_t kMaxStateSize = 1u << 24;

[[noreturn]] void bad(const char* what) { throw Error(ErrorCode::storage, std::string("session state: bad ") + what); }

// Takes a secret out of a parsed protobuf string, wiping the string: once
// parse() is done, no key is left in protobuf's memory.
template <std::size_t N>
SecretArray<N> take_secret(std::string* field, const char* what) {
    if (field->size() != N) {
        wipe_string(*field);
        bad(what);
    }
    SecretArray<N> out(std::span<const std::uint8_t, N>(reinterpret_cast<const std::uint8_t*>(field->data()), N));
    wipe_string(*field);
    return out;
}

PublicKey stored_public_key(const std::string& bytes, const char* what) {
    try {
        return PublicKey::deserialize(as_bytes(bytes));
    } catch (const Error&) {
        bad(what);
    }
}

ChainKey take_chain_key(SessionStructure::Chain& chain, const char* what) {
    if (!chain.has_chain_key()) bad(what);
    auto* key = chain.mutable_chain_key();
    return ChainKey(take_secret<32>(key->mutable_key(), what), key->index());
}

MessageKeySource take_skipped(SessionStructure::Chain::MessageKey& key) {
    if (!key.seed().empty()) {
        // Seed-only entries are what cliquet and current libsignal write.
        wipe_field(key.cipher_key(), [&] { return key.mutable_cipher_key(); });
        wipe_field(key.mac_key(), [&] { return key.mutable_mac_key(); });
        return MessageKeySource::from_seed(take_secret<32>(key.mutable_seed(), "skipped key seed"), key.index());
    }
    // Records written by older libsignal versions keep the keys themselves.
    MessageKeys keys;
    keys.counter = key.index();
    keys.cipher_key = take_secret<32>(key.mutable_cipher_key(), "skipped message key");
    keys.mac_key = take_secret<32>(key.mutable_mac_key(), "skipped message key");
    keys.iv = take_secret<16>(key.mutable_iv(), "skipped message key");
    return MessageKeySource::from_keys(keys);
}

// Wipes what parse() did not take yet, when it stops at a bad field. It
// runs in a destructor, so it allocates nothing: wipe_field leaves an empty
// field alone (a mutable_ accessor allocates one), and an absent chain key
// is not asked for.
void wipe_secrets(SessionStructure& s) noexcept {
    const auto wipe_chain = [](SessionStructure::Chain& chain) {
        wipe_field(chain.sender_ratchet_key_private(), [&] { return chain.mutable_sender_ratchet_key_private(); });
        if (chain.has_chain_key()) {
            auto& chain_key = *chain.mutable_chain_key();
            wipe_field(chain_key.key(), [&] { return chain_key.mutable_key(); });
        }
        for (auto& key : *chain.mutable_message_keys()) {
            wipe_field(key.cipher_key(), [&] { return key.mutable_cipher_key(); });
            wipe_field(key.mac_key(), [&] { return key.mutable_mac_key(); });
            wipe_field(key.iv(), [&] { return key.mutable_iv(); });
            wipe_field(key.seed(), [&] { return key.mutable_seed(); });
        }
    };
    wipe_field(s.root_key(), [&] { return s.mutable_root_key(); });
    wipe_field(s.pq_ratchet_state(), [&] { return s.mutable_pq_ratchet_state(); });
    if (s.has_sender_chain()) wipe_chain(*s.mutable_sender_chain());
    for (auto& chain : *s.mutable_receiver_chains()) wipe_chain(chain);
}

// libsignal's wire form of a signed pre-key id: an int32 field.
std::uint64_t int32_varint(std::uint32_t value) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(value)));
}

}  // namespace

// The two directions of the SessionStructure encoding. The writer follows
// protobuf's rules (fields by increasing number, proto3 defaults left out,
// sub-messages present when set) so that the bytes are those protobuf wrote.
struct SessionStateCodec {
    static SessionState read(SessionStructure& s);

    // `pq_ratchet` is state.pq_ratchet_ serialized, made once for both passes.
    template <class Writer>
    static void write(Writer& w, const SessionState& state, ByteView pq_ratchet);
};

SessionState SessionStateCodec::read(SessionStructure& s) {
    SessionState state;
    state.version_ = static_cast<int>(s.session_version());
    if (state.version_ != kX3dhVersion && state.version_ != kPqxdhVersion)
        throw Error(ErrorCode::storage, "session state has unknown version " + std::to_string(s.session_version()));
    if (state.version_ == kX3dhVersion && !s.pq_ratchet_state().empty())
        throw Error(ErrorCode::storage, "version 3 session state holds post-quantum ratchet (SPQR) state");
    state.local_identity_ = stored_public_key(s.local_identity_public(), "local identity");
    state.remote_identity_ = stored_public_key(s.remote_identity_public(), "remote identity");
    state.root_key_ = RootKey(take_secret<32>(s.mutable_root_key(), "root key"));
    state.previous_counter_ = s.previous_counter();
    if (s.has_sender_chain() && !s.sender_chain().sender_ratchet_key().empty()) {
        auto& chain = *s.mutable_sender_chain();
        const PublicKey public_key = stored_public_key(chain.sender_ratchet_key(), "sender ratchet key");
        const auto private_key = take_secret<32>(chain.mutable_sender_ratchet_key_private(), "sender ratchet private key");
        KeyPair ratchet_key{public_key, PrivateKey::deserialize(private_key.span())};
        state.sender_chain_.emplace(SenderChain{ratchet_key, take_chain_key(chain, "sender chain key")});
    }
    auto receiver_chains = std::make_shared<std::vector<ReceiverChain>>();
    receiver_chains->reserve(static_cast<std::size_t>(s.receiver_chains_size()) + 1);
    for (auto& chain : *s.mutable_receiver_chains()) {
        ReceiverChain received{stored_public_key(chain.sender_ratchet_key(), "receiver ratchet key"),
                               take_chain_key(chain, "receiver chain key"), {}};
        received.skipped.reserve(static_cast<std::size_t>(chain.message_keys_size()));
        for (auto& key : *chain.mutable_message_keys()) received.skipped.push_back(take_skipped(key));
        receiver_chains->push_back(std::move(received));
    }
    state.receiver_chains_ = std::move(receiver_chains);
    if (!s.pq_ratchet_state().empty()) {
        state.set_pq_ratchet(spqr::PqRatchet::parse(as_bytes(s.pq_ratchet_state())));
        wipe_string(*s.mutable_pq_ratchet_state());
    }
    if (s.has_pending_pre_key()) {
        const auto& p = s.pending_pre_key();
        PendingPreKey pending;
        if (p.has_pre_key_id()) pending.pre_key_id = p.pre_key_id();
        pending.signed_pre_key_id = static_cast<std::uint32_t>(p.signed_pre_key_id());
        pending.base_key.assign(p.base_key().begin(), p.base_key().end());
        if (s.has_pending_kyber_pre_key()) {
            pending.kyber_pre_key_id = s.pending_kyber_pre_key().pre_key_id();
            const auto& ciphertext = s.pending_kyber_pre_key().ciphertext();
            pending.kyber_ciphertext.assign(ciphertext.begin(), ciphertext.end());
        }
        state.pending_pre_key_ = std::move(pending);
        state.pending_pre_key_timestamp_ = p.timestamp();
    }
    state.created_at_ms_ = s.cliquet_created_at_ms();
    state.peer_answered_at_ms_ = s.cliquet_peer_answered_at_ms();
    state.local_registration_id_ = s.local_registration_id();
    state.remote_registration_id_ = s.remote_registration_id();
    state.set_alice_base_key(as_bytes(s.alice_base_key()));
    return state;
}

template <class Writer>
void SessionStateCodec::write(Writer& w, const SessionState& state, ByteView pq_ratchet) {
    const auto chain_key = [](Writer& cw, const ChainKey& key) {
        cw.message(3, [&](Writer& kw) {
            kw.uint(1, key.index());
            kw.bytes(2, key.key().span());
        });
    };
    w.uint(1, static_cast<std::uint32_t>(state.version_));
    w.bytes(2, state.local_identity_.serialize());
    w.bytes(3, state.remote_identity_.serialize());
    w.bytes(4, state.root_key_.key().span());
    w.uint(5, state.previous_counter_);
    if (state.sender_chain_) {
        w.message(6, [&](Writer& cw) {
            cw.bytes(1, state.sender_chain_->ratchet_key.public_key.serialize());
            cw.bytes(2, state.sender_chain_->ratchet_key.private_key.secret().span());
            chain_key(cw, state.sender_chain_->chain_key);
        });
    }
    for (const ReceiverChain& chain : state.receiver_chains()) {
        w.message(7, [&](Writer& cw) {
            cw.bytes(1, chain.ratchet_key.serialize());
            chain_key(cw, chain.chain_key);
            for (const MessageKeySource& skipped : chain.skipped) {
                cw.message(4, [&](Writer& kw) {
                    kw.uint(1, skipped.counter());
                    if (const auto& keys = skipped.stored_keys()) {
                        kw.bytes(2, keys->cipher_key.span());
                        kw.bytes(3, keys->mac_key.span());
                        kw.bytes(4, keys->iv.span());
                    }
                    if (const auto& seed = skipped.seed()) kw.bytes(5, seed->span());
                });
            }
        });
    }
    if (state.pending_pre_key_) {
        const PendingPreKey& p = *state.pending_pre_key_;
        w.message(9, [&](Writer& pw) {
            if (p.pre_key_id) pw.uint_present(1, *p.pre_key_id);
            pw.bytes(2, p.base_key);
            pw.uint(3, int32_varint(p.signed_pre_key_id));
            pw.uint(4, state.pending_pre_key_timestamp_);
        });
    }
    w.uint(10, state.remote_registration_id_);
    w.uint(11, state.local_registration_id_);
    w.bytes(13, state.alice_base_key());
    if (state.pending_pre_key_ && state.pending_pre_key_->kyber_pre_key_id) {
        w.message(14, [&](Writer& kw) {
            kw.uint(1, *state.pending_pre_key_->kyber_pre_key_id);
            kw.bytes(2, state.pending_pre_key_->kyber_ciphertext);
        });
    }
    w.bytes(15, pq_ratchet);
    w.uint(1001, state.created_at_ms_);
    w.uint(1002, state.peer_answered_at_ms_);
}

SessionState::SessionState(int version, const IdentityKey& local_identity, const IdentityKey& remote_identity,
                           const RootKey& root_key, ByteView alice_base_key)
    : version_(version),
      local_identity_(local_identity),
      remote_identity_(remote_identity),
      root_key_(root_key) {
    set_alice_base_key(alice_base_key);
}

void SessionState::set_alice_base_key(ByteView key) {
    if (key.size() > alice_base_key_.size()) bad("alice base key");
    std::copy(key.begin(), key.end(), alice_base_key_.begin());
    alice_base_key_size_ = static_cast<std::uint8_t>(key.size());
}

SessionState SessionState::parse(ByteView bytes) {
    SessionStructure structure;
    parse_proto(structure, bytes, ErrorCode::storage, "session state", kMaxStateSize);
    return from_proto(structure);
}

SessionState SessionState::from_proto(SessionStructure& structure) {
    struct Wiper {
        SessionStructure& s;
        ~Wiper() { wipe_secrets(s); }
    } wiper{structure};
    return SessionStateCodec::read(structure);
}

// SessionState's moves are declared noexcept, and a new state is committed
// by moving it: each member's own move must be non-throwing too, or a move
// that allocates (as libstdc++'s std::deque does) ends the program when it
// fails. PqRatchet, whose braid holds deques, is held through a pointer.
static_assert(std::is_nothrow_move_constructible_v<std::optional<SenderChain>> &&
              std::is_nothrow_move_constructible_v<std::vector<ReceiverChain>> &&
              std::is_nothrow_move_constructible_v<std::shared_ptr<const spqr::PqRatchet>> &&
              std::is_nothrow_move_constructible_v<std::optional<PendingPreKey>> &&
              std::is_nothrow_move_constructible_v<IdentityKey> && std::is_nothrow_move_constructible_v<RootKey>);
static_assert(std::is_nothrow_move_assignable_v<std::optional<SenderChain>> &&
              std::is_nothrow_move_assignable_v<std::vector<ReceiverChain>> &&
              std::is_nothrow_move_assignable_v<std::shared_ptr<const spqr::PqRatchet>> &&
              std::is_nothrow_move_assignable_v<std::optional<PendingPreKey>> &&
              std::is_nothrow_move_assignable_v<IdentityKey> && std::is_nothrow_move_assignable_v<RootKey>);

const spqr::PqRatchet& SessionState::pq_ratchet() const noexcept {
    static const spqr::PqRatchet none;
    return pq_ratchet_ ? *pq_ratchet_ : none;
}

void SessionState::set_pq_ratchet(spqr::PqRatchet pq_ratchet) {
    if (!pq_ratchet.negotiation() && !pq_ratchet.chain() && !pq_ratchet.braid()) {
        pq_ratchet_.reset();
        return;
    }
    pq_ratchet_ = std::make_shared<const spqr::PqRatchet>(std::move(pq_ratchet));
}

SecretBytes SessionState::serialize() const {
    const SecretBytes pq_state = pq_ratchet().serialize();
    return write_proto([&](auto& w) { SessionStateCodec::write(w, *this, pq_state.span()); });
}

const std::vector<ReceiverChain>& SessionState::receiver_chains() const noexcept {
    static const std::vector<ReceiverChain> none;
    return receiver_chains_ ? *receiver_chains_ : none;
}

std::shared_ptr<std::vector<ReceiverChain>> SessionState::copy_receiver_chains() const {
    auto copy = std::make_shared<std::vector<ReceiverChain>>();
    copy->reserve(receiver_chains().size() + 1);
    copy->assign(receiver_chains().begin(), receiver_chains().end());
    return copy;
}

const ReceiverChain* SessionState::find_receiver_chain(const PublicKey& sender_ratchet_key) const noexcept {
    for (const auto& chain : receiver_chains())
        if (chain.ratchet_key == sender_ratchet_key) return &chain;
    return nullptr;
}

ReceiverChain* SessionState::find_receiver_chain(const PublicKey& sender_ratchet_key) {
    const auto held = std::as_const(*this).find_receiver_chain(sender_ratchet_key);
    if (!held) return nullptr;
    const auto index = static_cast<std::size_t>(held - receiver_chains().data());
    auto own = copy_receiver_chains();
    ReceiverChain* chain = &(*own)[index];
    receiver_chains_ = std::move(own);
    return chain;
}

std::optional<ChainKey> SessionState::receiver_chain_key(const PublicKey& sender_ratchet_key) const {
    const auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) return std::nullopt;
    return chain->chain_key;
}

void SessionState::add_receiver_chain(const PublicKey& sender_ratchet_key, const ChainKey& chain_key) {
    auto chains = copy_receiver_chains();
    chains->push_back(ReceiverChain{sender_ratchet_key, chain_key, {}});
    if (chains->size() > kMaxReceiverChains) chains->erase(chains->begin());
    receiver_chains_ = std::move(chains);
}

std::optional<MessageKeySource> SessionState::skipped_keys(const PublicKey& sender_ratchet_key,
                                                           std::uint32_t counter) const {
    const auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) return std::nullopt;
    for (const auto& key : chain->skipped)
        if (key.counter() == counter) return key;
    return std::nullopt;
}

void SessionState::set_pending_pre_key(const PendingPreKey& pending, Timestamp now) {
    pending_pre_key_ = pending;
    pending_pre_key_timestamp_ = unix_ms(now) / 1000;  // libsignal's unit: seconds
    set_created_at(now);
}

std::optional<Timestamp> SessionState::created_at() const {
    if (created_at_ms_ != 0) return timestamp_from_unix_ms(created_at_ms_);
    if (!pending_pre_key_) return std::nullopt;
    // Seconds as libsignal writes them; cliquet before schema version 2
    // wrote milliseconds here, which as seconds would lie past the year
    // 5000: read those as the milliseconds they are.
    constexpr std::uint64_t kFirstMillisecondValue = 100'000'000'000;
    const std::uint64_t stamp = pending_pre_key_timestamp_;
    if (stamp >= kFirstMillisecondValue) return timestamp_from_unix_ms(stamp);
    return timestamp_from_unix_ms(stamp * 1000);
}

std::optional<Timestamp> SessionState::peer_answered_at() const {
    if (peer_answered_at_ms_ == 0) return std::nullopt;
    return timestamp_from_unix_ms(peer_answered_at_ms_);
}

bool SessionState::is_stale(Timestamp now) const {
    if (!pending_pre_key_) return false;
    const auto created = created_at();
    return created && *created + kMaxUnansweredSessionAge < now;
}

// ---- the record -------------------------------------------------------------

void SessionRecordData::archive_current() {
    if (!current) return;
    SessionState archived_state = *current;
    archived_state.clear_pending_pre_key();
    auto archived = std::make_shared<const SecretBytes>(archived_state.serialize());
    current.reset();
    if (previous.size() >= kMaxArchivedStates) previous.pop_back();
    previous.insert(previous.begin(), std::move(archived));
}

void SessionRecordData::promote(SessionState state) {
    archive_current();
    current = std::make_shared<const SessionState>(std::move(state));
}

void SessionRecordData::promote_archived(std::size_t index, SessionState state) {
    previous.erase(previous.begin() + static_cast<std::ptrdiff_t>(index));
    promote(std::move(state));
}

}  // namespace cliquet::protocol
