// One ratchet state with one peer, as typed values: every key sits in a
// SecretArray (wiped when it dies), the SPQR state is the parsed PqRatchet.
// protobuf's SessionStructure appears only at the edges: parse() reads one
// and wipes each secret string as it takes it, serialize() writes the same
// bytes protobuf would, straight into a SecretBytes. The record of all
// states with one peer is SessionRecordData, below.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/session_record.hpp"
#include "cliquet/time.hpp"
#include "protocol/ratchet/ratchet_keys.hpp"
#include "protocol/spqr/pq_ratchet.hpp"

namespace cliquet::proto::storage {
class SessionStructure;
}

namespace cliquet::protocol {

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

// Our current sending chain: its ratchet key pair and chain key.
struct SenderChain {
    KeyPair ratchet_key;
    ChainKey chain_key;
};

// A receiving chain: the peer's ratchet key, the chain key, and the keys of
// messages skipped on it (oldest first, at most kMaxMessageKeys).
struct ReceiverChain {
    PublicKey ratchet_key;
    ChainKey chain_key;
    std::vector<MessageKeySource> skipped;
};

class SessionState {
public:
    // A new state after a handshake.
    SessionState(int version, const IdentityKey& local_identity, const IdentityKey& remote_identity,
                 const RootKey& root_key, ByteView alice_base_key);
    SessionState(const SessionState&) = default;
    SessionState& operator=(const SessionState&) = default;
    SessionState(SessionState&&) noexcept = default;
    SessionState& operator=(SessionState&&) noexcept = default;
    ~SessionState() = default;

    // Error(storage) for bytes that are not a usable state: not a
    // SessionStructure, a key of the wrong size, a version cliquet does not
    // know, or SPQR state in a version-3 (X3DH) session, which has none.
    static SessionState parse(ByteView bytes);
    // The same from a parsed SessionStructure, whose secrets it wipes.
    static SessionState from_proto(proto::storage::SessionStructure& structure);
    // The SessionStructure protobuf encoding, byte for byte as protobuf
    // writes it (so libsignal reads it), in memory that is wiped.
    SecretBytes serialize() const;

    int version() const noexcept { return version_; }
    const IdentityKey& local_identity() const noexcept { return local_identity_; }
    const IdentityKey& remote_identity() const noexcept { return remote_identity_; }
    ByteView alice_base_key() const noexcept { return ByteView(alice_base_key_).first(alice_base_key_size_); }

    const RootKey& root_key() const noexcept { return root_key_; }
    void set_root_key(const RootKey& key) noexcept { root_key_ = key; }
    std::uint32_t previous_counter() const noexcept { return previous_counter_; }
    void set_previous_counter(std::uint32_t counter) noexcept { previous_counter_ = counter; }

    bool has_sender_chain() const noexcept { return sender_chain_.has_value(); }
    const PublicKey& sender_ratchet_key() const noexcept { return sender_chain_->ratchet_key.public_key; }
    const PrivateKey& sender_ratchet_private_key() const noexcept { return sender_chain_->ratchet_key.private_key; }
    const ChainKey& sender_chain_key() const noexcept { return sender_chain_->chain_key; }
    void set_sender_chain(const KeyPair& ratchet_key, const ChainKey& chain_key) {
        sender_chain_.emplace(SenderChain{ratchet_key, chain_key});
    }
    void set_sender_chain_key(const ChainKey& chain_key) noexcept { sender_chain_->chain_key = chain_key; }

    // Oldest first.
    const std::vector<ReceiverChain>& receiver_chains() const noexcept;
    const ReceiverChain* find_receiver_chain(const PublicKey& sender_ratchet_key) const noexcept;
    // The chain to change: this state's own copy of the chains is made first
    // (they are shared with the state this one was copied from), so it may
    // throw. The pointer holds until this state is next copied or changed.
    ReceiverChain* find_receiver_chain(const PublicKey& sender_ratchet_key);
    std::optional<ChainKey> receiver_chain_key(const PublicKey& sender_ratchet_key) const;
    // Adds a chain, dropping the oldest beyond kMaxReceiverChains.
    void add_receiver_chain(const PublicKey& sender_ratchet_key, const ChainKey& chain_key);

    // What the keys of a skipped message come from, if it is held.
    std::optional<MessageKeySource> skipped_keys(const PublicKey& sender_ratchet_key, std::uint32_t counter) const;

    // The post-quantum ratchet (SPQR; version 0, none, for X3DH sessions and
    // sessions that negotiated it away).
    const spqr::PqRatchet& pq_ratchet() const noexcept;
    // Allocates (except for an empty ratchet), so it may throw: call it while
    // the state is still being built aside.
    void set_pq_ratchet(spqr::PqRatchet pq_ratchet);

    const std::optional<PendingPreKey>& pending_pre_key() const noexcept { return pending_pre_key_; }
    // Also records `now` as the state's creation.
    void set_pending_pre_key(const PendingPreKey& pending, Timestamp now);
    void clear_pending_pre_key() noexcept { pending_pre_key_.reset(); }

    // When the state was made: cliquet's own field, or for a state that
    // lacks it and still waits for an answer, the pending pre-key's time.
    std::optional<Timestamp> created_at() const;
    void set_created_at(Timestamp now) { created_at_ms_ = unix_ms(now); }
    // When a message from the peer last decrypted in this state.
    std::optional<Timestamp> peer_answered_at() const;
    void set_peer_answered_at(Timestamp now) { peer_answered_at_ms_ = unix_ms(now); }
    // libsignal's staleness: still waiting for the peer's first answer, and
    // made more than kMaxUnansweredSessionAge before `now`.
    bool is_stale(Timestamp now) const;

    std::uint32_t local_registration_id() const noexcept { return local_registration_id_; }
    std::uint32_t remote_registration_id() const noexcept { return remote_registration_id_; }
    void set_registration_ids(std::uint32_t local, std::uint32_t remote) noexcept {
        local_registration_id_ = local;
        remote_registration_id_ = remote;
    }

private:
    friend struct SessionStateCodec;
    SessionState() = default;
    // Error(storage) for more than a public key's bytes.
    void set_alice_base_key(ByteView key);
    // A copy of the receiving chains for this state alone, with room for one more.
    std::shared_ptr<std::vector<ReceiverChain>> copy_receiver_chains() const;

    int version_ = 0;
    IdentityKey local_identity_ = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{});
    IdentityKey remote_identity_ = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{});
    RootKey root_key_{Key32()};
    std::uint32_t previous_counter_ = 0;
    std::optional<SenderChain> sender_chain_;
    // Shared between copies of a state and never changed while shared: a
    // message sent copies its state, and the receiving chains it does not
    // touch need not be copied (or wiped) with it. A change replaces them.
    std::shared_ptr<const std::vector<ReceiverChain>> receiver_chains_;
    // Shared and immutable, null for an empty (version 0) ratchet: SPQR's
    // braid holds std::deques, whose moves allocate in libstdc++, and the
    // state's noexcept moves (committing a new state) must not. Copying a
    // state shares it; a new SPQR state replaces the pointer.
    std::shared_ptr<const spqr::PqRatchet> pq_ratchet_;
    std::optional<PendingPreKey> pending_pre_key_;
    // libsignal's pending_pre_key.timestamp, in seconds (or, as cliquet
    // before schema version 2 wrote it, milliseconds).
    std::uint64_t pending_pre_key_timestamp_ = 0;
    std::uint64_t created_at_ms_ = 0;
    std::uint64_t peer_answered_at_ms_ = 0;
    std::uint32_t local_registration_id_ = 0;
    std::uint32_t remote_registration_id_ = 0;
    // Held inline (a serialized public key, or empty in a state that lacks
    // it): copying a state, as every message does, allocates less.
    std::array<std::uint8_t, kPublicKeySize> alice_base_key_{};
    std::uint8_t alice_base_key_size_ = 0;
};

// What a SessionRecord holds: the current state and the archive, newest
// first. Archived states stay serialized and are shared between copies of a
// record, so copying a record costs one state.
struct SessionRecordData {
    // Shared, never changed in place: a copy of the record costs no copy
    // of the state, and a new state replaces it whole.
    std::shared_ptr<const SessionState> current;
    std::vector<std::shared_ptr<const SecretBytes>> previous;

    void archive_current();
    // Makes `state` current, archiving the one it replaces.
    void promote(SessionState state);
    // Replaces archived state `index` by `state` and makes it current.
    void promote_archived(std::size_t index, SessionState state);
};

}  // namespace cliquet::protocol
