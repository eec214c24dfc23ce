#include "protocol/session_state.hpp"

#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "protocol/proto_util.hpp"

namespace cliquet::protocol {
namespace {

// A whole record with 40 archived states and full skipped-key lists stays
// well under this.
constexpr std::size_t kMaxStateSize = 1u << 24;

Key32 key32(const std::string& bytes, const char* what) {
    if (bytes.size() != 32) throw Error(ErrorCode::storage, std::string("session state: bad ") + what);
    return Key32(std::span<const std::uint8_t, 32>(reinterpret_cast<const std::uint8_t*>(bytes.data()), 32));
}

PublicKey stored_public_key(const std::string& bytes, const char* what) {
    try {
        return PublicKey::deserialize(as_bytes(bytes));
    } catch (const Error&) {
        throw Error(ErrorCode::storage, std::string("session state: bad ") + what);
    }
}

void set_bytes(std::string* field, ByteView bytes) {
    field->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Whether a stored serialized public key is `key` (compared in place: a
// receiving chain is looked up on every message).
bool same_key(const std::string& stored, const PublicKey& key) {
    const ByteView stored_bytes = as_bytes(stored);
    return stored_bytes.size() == kPublicKeySize && stored_bytes[0] == kDjbKeyType &&
           std::equal(key.montgomery().begin(), key.montgomery().end(), stored_bytes.begin() + 1);
}

void wipe_chain(SessionStructure::Chain& chain) noexcept {
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
}

// Allocates nothing (see wipe_field): a moved-from state, whose structure is
// all defaults, is destroyed too.
void wipe_structure(SessionStructure& s) noexcept {
    wipe_field(s.root_key(), [&] { return s.mutable_root_key(); });
    wipe_field(s.pq_ratchet_state(), [&] { return s.mutable_pq_ratchet_state(); });
    if (s.has_sender_chain()) wipe_chain(*s.mutable_sender_chain());
    for (auto& chain : *s.mutable_receiver_chains()) wipe_chain(chain);
}

}  // namespace

SessionState::SessionState(int version, const IdentityKey& local_identity, const IdentityKey& remote_identity,
                           const RootKey& root_key, ByteView alice_base_key) {
    s_.set_session_version(static_cast<std::uint32_t>(version));
    set_bytes(s_.mutable_local_identity_public(), local_identity.serialize());
    set_bytes(s_.mutable_remote_identity_public(), remote_identity.serialize());
    set_bytes(s_.mutable_root_key(), root_key.key().span());
    set_bytes(s_.mutable_alice_base_key(), alice_base_key);
}

SessionState::~SessionState() { wipe_structure(s_); }

SessionState SessionState::parse(ByteView bytes) {
    SessionStructure structure;
    parse_proto(structure, bytes, ErrorCode::storage, "session state", kMaxStateSize);
    SessionState state(std::move(structure));
    state.check_usable();
    return state;
}

void SessionState::check_usable() const {
    const int v = version();
    if (v != kX3dhVersion && v != kPqxdhVersion)
        throw Error(ErrorCode::storage, "session state has unknown version " + std::to_string(v));
    if (v == kX3dhVersion && !s_.pq_ratchet_state().empty())
        throw Error(ErrorCode::storage, "version 3 session state holds post-quantum ratchet (SPQR) state");
}

SecretBytes SessionState::serialize() const {
    std::string encoded = s_.SerializeAsString();
    SecretBytes out(as_bytes(encoded));
    wipe_string(encoded);
    return out;
}

IdentityKey SessionState::local_identity() const {
    return stored_public_key(s_.local_identity_public(), "local identity");
}

IdentityKey SessionState::remote_identity() const {
    return stored_public_key(s_.remote_identity_public(), "remote identity");
}

RootKey SessionState::root_key() const { return RootKey(key32(s_.root_key(), "root key")); }

void SessionState::set_root_key(const RootKey& key) { set_bytes(s_.mutable_root_key(), key.key().span()); }

bool SessionState::has_sender_chain() const noexcept {
    return s_.has_sender_chain() && !s_.sender_chain().sender_ratchet_key().empty();
}

PublicKey SessionState::sender_ratchet_key() const {
    return stored_public_key(s_.sender_chain().sender_ratchet_key(), "sender ratchet key");
}

PrivateKey SessionState::sender_ratchet_private_key() const {
    const std::string& bytes = s_.sender_chain().sender_ratchet_key_private();
    if (bytes.size() != kPrivateKeySize) throw Error(ErrorCode::storage, "session state: bad sender ratchet private key");
    return PrivateKey::deserialize(as_bytes(bytes));
}

ChainKey SessionState::sender_chain_key() const {
    const auto& chain_key = s_.sender_chain().chain_key();
    return ChainKey(key32(chain_key.key(), "sender chain key"), chain_key.index());
}

void SessionState::set_sender_chain(const KeyPair& ratchet_key, const ChainKey& chain_key) {
    SessionStructure::Chain* chain = s_.mutable_sender_chain();
    wipe_chain(*chain);
    chain->Clear();
    set_bytes(chain->mutable_sender_ratchet_key(), ratchet_key.public_key.serialize());
    set_bytes(chain->mutable_sender_ratchet_key_private(), ratchet_key.private_key.secret().span());
    set_sender_chain_key(chain_key);
}

void SessionState::set_sender_chain_key(const ChainKey& chain_key) {
    auto* key = s_.mutable_sender_chain()->mutable_chain_key();
    key->set_index(chain_key.index());
    set_bytes(key->mutable_key(), chain_key.key().span());
}

const SessionStructure::Chain* SessionState::find_receiver_chain(const PublicKey& sender_ratchet_key) const {
    for (const auto& chain : s_.receiver_chains())
        if (same_key(chain.sender_ratchet_key(), sender_ratchet_key)) return &chain;
    return nullptr;
}

SessionStructure::Chain* SessionState::find_receiver_chain(const PublicKey& sender_ratchet_key) {
    for (auto& chain : *s_.mutable_receiver_chains())
        if (same_key(chain.sender_ratchet_key(), sender_ratchet_key)) return &chain;
    return nullptr;
}

std::optional<ChainKey> SessionState::receiver_chain_key(const PublicKey& sender_ratchet_key) const {
    const auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) return std::nullopt;
    return ChainKey(key32(chain->chain_key().key(), "receiver chain key"), chain->chain_key().index());
}

void SessionState::add_receiver_chain(const PublicKey& sender_ratchet_key, const ChainKey& chain_key) {
    auto* chain = s_.add_receiver_chains();
    set_bytes(chain->mutable_sender_ratchet_key(), sender_ratchet_key.serialize());
    chain->mutable_chain_key()->set_index(chain_key.index());
    set_bytes(chain->mutable_chain_key()->mutable_key(), chain_key.key().span());
    auto* chains = s_.mutable_receiver_chains();
    if (static_cast<std::size_t>(chains->size()) > kMaxReceiverChains) {
        wipe_chain(*chains->Mutable(0));
        chains->erase(chains->begin());
    }
}

void SessionState::set_receiver_chain_key(const PublicKey& sender_ratchet_key, const ChainKey& chain_key) {
    auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) throw Error(ErrorCode::storage, "session state: no receiver chain for that ratchet key");
    chain->mutable_chain_key()->set_index(chain_key.index());
    set_bytes(chain->mutable_chain_key()->mutable_key(), chain_key.key().span());
}

std::optional<MessageKeySource> SessionState::skipped_keys(const PublicKey& sender_ratchet_key,
                                                      std::uint32_t counter) const {
    const auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) return std::nullopt;
    for (const auto& key : chain->message_keys()) {
        if (key.index() != counter) continue;
        if (!key.seed().empty()) return MessageKeySource::from_seed(key32(key.seed(), "skipped key seed"), counter);
        // Records written by older libsignal versions keep the keys themselves.
        if (key.cipher_key().size() != 32 || key.mac_key().size() != 32 || key.iv().size() != 16)
            throw Error(ErrorCode::storage, "session state: bad skipped message key");
        MessageKeys found;
        std::copy_n(key.cipher_key().data(), 32, found.cipher_key.data());
        std::copy_n(key.mac_key().data(), 32, found.mac_key.data());
        std::copy_n(key.iv().data(), 16, found.iv.data());
        found.counter = counter;
        return MessageKeySource::from_keys(found);
    }
    return std::nullopt;
}

void SessionState::remove_skipped_keys(const PublicKey& sender_ratchet_key, std::uint32_t counter) {
    auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) return;
    auto* keys = chain->mutable_message_keys();
    for (auto it = keys->begin(); it != keys->end(); ++it) {
        if (it->index() != counter) continue;
        wipe_string(*it->mutable_seed());
        wipe_string(*it->mutable_cipher_key());
        wipe_string(*it->mutable_mac_key());
        keys->erase(it);
        return;
    }
}

void SessionState::store_skipped_seed(const PublicKey& sender_ratchet_key, std::uint32_t counter, const Key32& seed) {
    auto* chain = find_receiver_chain(sender_ratchet_key);
    if (!chain) throw Error(ErrorCode::storage, "session state: no receiver chain for that ratchet key");
    auto* keys = chain->mutable_message_keys();
    auto* key = keys->Add();
    key->set_index(counter);
    set_bytes(key->mutable_seed(), seed.span());
    if (static_cast<std::size_t>(keys->size()) > kMaxMessageKeys) {
        wipe_string(*keys->Mutable(0)->mutable_seed());
        keys->erase(keys->begin());
    }
}

spqr::PqRatchet SessionState::pq_ratchet() const {
    if (pq_ratchet_) return *pq_ratchet_;
    if (s_.pq_ratchet_state().empty()) return spqr::PqRatchet();
    return spqr::PqRatchet::parse(as_bytes(s_.pq_ratchet_state()));
}

void SessionState::set_pq_ratchet(spqr::PqRatchet pq_ratchet) {
    auto kept = std::make_shared<const spqr::PqRatchet>(std::move(pq_ratchet));
    std::string* field = s_.mutable_pq_ratchet_state();
    wipe_string(*field);
    set_bytes(field, kept->serialize().span());
    pq_ratchet_ = std::move(kept);
}

std::optional<PendingPreKey> SessionState::pending_pre_key() const {
    if (!s_.has_pending_pre_key()) return std::nullopt;
    const auto& p = s_.pending_pre_key();
    PendingPreKey pending;
    if (p.has_pre_key_id()) pending.pre_key_id = p.pre_key_id();
    pending.signed_pre_key_id = static_cast<std::uint32_t>(p.signed_pre_key_id());
    pending.base_key.assign(p.base_key().begin(), p.base_key().end());
    if (s_.has_pending_kyber_pre_key()) {
        pending.kyber_pre_key_id = s_.pending_kyber_pre_key().pre_key_id();
        const auto& ciphertext = s_.pending_kyber_pre_key().ciphertext();
        pending.kyber_ciphertext.assign(ciphertext.begin(), ciphertext.end());
    }
    return pending;
}

void SessionState::set_pending_pre_key(const PendingPreKey& pending, Timestamp now) {
    auto* p = s_.mutable_pending_pre_key();
    if (pending.pre_key_id) p->set_pre_key_id(*pending.pre_key_id);
    // libsignal stores the signed pre-key id in an int32 field.
    p->set_signed_pre_key_id(static_cast<std::int32_t>(pending.signed_pre_key_id));
    set_bytes(p->mutable_base_key(), pending.base_key);
    p->set_timestamp(unix_ms(now) / 1000);  // libsignal's unit: seconds
    set_created_at(now);
    if (pending.kyber_pre_key_id) {
        auto* k = s_.mutable_pending_kyber_pre_key();
        k->set_pre_key_id(*pending.kyber_pre_key_id);
        set_bytes(k->mutable_ciphertext(), pending.kyber_ciphertext);
    }
}

void SessionState::clear_pending_pre_key() {
    s_.clear_pending_pre_key();
    s_.clear_pending_kyber_pre_key();
}

std::optional<Timestamp> SessionState::created_at() const {
    if (s_.cliquet_created_at_ms() != 0) return timestamp_from_unix_ms(s_.cliquet_created_at_ms());
    if (!s_.has_pending_pre_key()) return std::nullopt;
    // Seconds as libsignal writes them; cliquet before schema version 2
    // wrote milliseconds here, which as seconds would lie past the year
    // 5000: read those as the milliseconds they are.
    constexpr std::uint64_t kFirstMillisecondValue = 100'000'000'000;
    const std::uint64_t stamp = s_.pending_pre_key().timestamp();
    if (stamp >= kFirstMillisecondValue) return timestamp_from_unix_ms(stamp);
    return timestamp_from_unix_ms(stamp * 1000);
}

void SessionState::set_created_at(Timestamp now) { s_.set_cliquet_created_at_ms(unix_ms(now)); }

std::optional<Timestamp> SessionState::peer_answered_at() const {
    if (s_.cliquet_peer_answered_at_ms() == 0) return std::nullopt;
    return timestamp_from_unix_ms(s_.cliquet_peer_answered_at_ms());
}

void SessionState::set_peer_answered_at(Timestamp now) { s_.set_cliquet_peer_answered_at_ms(unix_ms(now)); }

bool SessionState::is_stale(Timestamp now) const {
    if (!s_.has_pending_pre_key()) return false;
    const auto created = created_at();
    return created && *created + kMaxUnansweredSessionAge < now;
}

void SessionState::set_registration_ids(std::uint32_t local, std::uint32_t remote) {
    s_.set_local_registration_id(local);
    s_.set_remote_registration_id(remote);
}

// ---- the record -------------------------------------------------------------

void SessionRecordData::archive_current() {
    if (!current) return;
    current->clear_pending_pre_key();
    auto archived = std::make_shared<const SecretBytes>(current->serialize());
    current.reset();
    if (previous.size() >= kMaxArchivedStates) previous.pop_back();
    previous.insert(previous.begin(), std::move(archived));
}

void SessionRecordData::promote(SessionState state) {
    archive_current();
    current.emplace(std::move(state));
}

void SessionRecordData::promote_archived(std::size_t index, SessionState state) {
    previous.erase(previous.begin() + static_cast<std::ptrdiff_t>(index));
    promote(std::move(state));
}

}  // namespace cliquet::protocol
