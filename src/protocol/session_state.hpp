// One ratchet state with one peer, held in libsignal's SessionStructure
// protobuf so that serializing it costs no translation, and the record of
// all states with that peer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/session_record.hpp"
#include "cliquet/time.hpp"
#include "protocol/ratchet_keys.hpp"
#include "protocol/spqr/pq_ratchet.hpp"
#include "storage.pb.h"

namespace cliquet::protocol {

using proto::storage::SessionStructure;

// libsignal's bounds (rust/protocol/src/consts.rs).
inline constexpr std::uint32_t kMaxForwardJumps = 25000;
inline constexpr std::size_t kMaxMessageKeys = 2000;
inline constexpr std::size_t kMaxReceiverChains = 5;
inline constexpr std::size_t kMaxArchivedStates = 40;

inline constexpr int kX3dhVersion = 3;
inline constexpr int kPqxdhVersion = 4;

// What an initiator repeats in each message until the responder answers.
struct PendingPreKey {
    std::optional<std::uint32_t> pre_key_id;
    std::uint32_t signed_pre_key_id = 0;
    Bytes base_key;  // 33 bytes
    std::optional<std::uint32_t> kyber_pre_key_id;
    Bytes kyber_ciphertext;
};

class SessionState {
public:
    explicit SessionState(SessionStructure structure) : s_(std::move(structure)) {}
    // A new state after a handshake.
    SessionState(int version, const IdentityKey& local_identity, const IdentityKey& remote_identity,
                 const RootKey& root_key, ByteView alice_base_key);
    SessionState(const SessionState&) = default;
    SessionState& operator=(const SessionState&) = default;
    SessionState(SessionState&&) noexcept = default;
    SessionState& operator=(SessionState&&) noexcept = default;
    ~SessionState();

    // Error(storage) for bytes that are not a usable state.
    static SessionState parse(ByteView bytes);
    // Error(storage) for a version cliquet does not know, or SPQR state in a
    // version-3 (X3DH) session, which has none.
    void check_usable() const;
    SecretBytes serialize() const;
    const SessionStructure& structure() const noexcept { return s_; }

    int version() const noexcept { return static_cast<int>(s_.session_version()); }
    IdentityKey local_identity() const;
    IdentityKey remote_identity() const;
    ByteView alice_base_key() const noexcept { return as_bytes(s_.alice_base_key()); }

    RootKey root_key() const;
    void set_root_key(const RootKey& key);
    std::uint32_t previous_counter() const noexcept { return s_.previous_counter(); }
    void set_previous_counter(std::uint32_t counter) { s_.set_previous_counter(counter); }

    bool has_sender_chain() const noexcept;
    PublicKey sender_ratchet_key() const;
    PrivateKey sender_ratchet_private_key() const;
    ChainKey sender_chain_key() const;
    void set_sender_chain(const KeyPair& ratchet_key, const ChainKey& chain_key);
    void set_sender_chain_key(const ChainKey& chain_key);

    std::optional<ChainKey> receiver_chain_key(const PublicKey& sender_ratchet_key) const;
    // Adds a chain, dropping the oldest beyond kMaxReceiverChains.
    void add_receiver_chain(const PublicKey& sender_ratchet_key, const ChainKey& chain_key);
    void set_receiver_chain_key(const PublicKey& sender_ratchet_key, const ChainKey& chain_key);

    // What the keys of a skipped message come from, if it is held.
    std::optional<MessageKeySource> skipped_keys(const PublicKey& sender_ratchet_key, std::uint32_t counter) const;
    // Forgets them, once the message has decrypted.
    void remove_skipped_keys(const PublicKey& sender_ratchet_key, std::uint32_t counter);
    // Keeps a skipped message's key seed, dropping the oldest beyond kMaxMessageKeys.
    void store_skipped_seed(const PublicKey& sender_ratchet_key, std::uint32_t counter, const Key32& seed);

    // The post-quantum ratchet (SPQR; version 0, none, for X3DH sessions and
    // sessions that negotiated it away). Error(storage) if its bytes are bad.
    spqr::PqRatchet pq_ratchet() const;
    // Stores it (serialized in the structure) and keeps the value too: while
    // a record stays in memory, the next message need not parse it again,
    // which rebuilds its erasure encoders.
    void set_pq_ratchet(spqr::PqRatchet pq_ratchet);

    std::optional<PendingPreKey> pending_pre_key() const;
    // Also records `now` as the state's creation.
    void set_pending_pre_key(const PendingPreKey& pending, Timestamp now);
    void clear_pending_pre_key();

    // When the state was made: cliquet's own field, or for a state that
    // lacks it and still waits for an answer, the pending pre-key's time.
    std::optional<Timestamp> created_at() const;
    void set_created_at(Timestamp now);
    // When a message from the peer last decrypted in this state.
    std::optional<Timestamp> peer_answered_at() const;
    void set_peer_answered_at(Timestamp now);
    // libsignal's staleness: still waiting for the peer's first answer, and
    // made more than kMaxUnansweredSessionAge before `now`.
    bool is_stale(Timestamp now) const;

    std::uint32_t local_registration_id() const noexcept { return s_.local_registration_id(); }
    std::uint32_t remote_registration_id() const noexcept { return s_.remote_registration_id(); }
    void set_registration_ids(std::uint32_t local, std::uint32_t remote);

private:
    SessionStructure::Chain* find_receiver_chain(const PublicKey& sender_ratchet_key);
    const SessionStructure::Chain* find_receiver_chain(const PublicKey& sender_ratchet_key) const;

    SessionStructure s_;
    // The value s_.pq_ratchet_state() serializes, once set_pq_ratchet ran.
    // Shared and never changed, so that moving a state allocates nothing
    // (moving a PqRatchet does: its chain is a std::deque) and copying one
    // does not copy it.
    std::shared_ptr<const spqr::PqRatchet> pq_ratchet_;
};

// What a SessionRecord holds: the current state and the archive, newest
// first. Archived states stay serialized and are shared between copies of a
// record, so copying a record (as every decrypt does) costs one state.
struct SessionRecordData {
    std::optional<SessionState> current;
    std::vector<std::shared_ptr<const SecretBytes>> previous;

    void archive_current();
    // Makes `state` current, archiving the one it replaces.
    void promote(SessionState state);
    // Replaces archived state `index` by `state` and makes it current.
    void promote_archived(std::size_t index, SessionState state);
};

}  // namespace cliquet::protocol
