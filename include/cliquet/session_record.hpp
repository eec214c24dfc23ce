/// @file
/// What a device remembers about its session with one address.
///
/// A SessionRecord holds the current ratchet state and up to 40 archived ones
/// (a new handshake archives the state it replaces; a late message of an
/// archived state still decrypts and makes that state current again).
///
/// Storage format: libsignal's RecordStructure protobuf, byte for byte. Each
/// state inside carries its session version (3 for X3DH, 4 for PQXDH), which
/// versions the format: a record holding a version cliquet does not know is
/// refused rather than misread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

namespace protocol {
struct SessionRecordData;
}

/// How long a session this device started may go unanswered before it is
/// stale: libsignal's MAX_UNACKNOWLEDGED_SESSION_AGE.
inline constexpr std::chrono::days kMaxUnansweredSessionAge{30};

/// What a session must be for a sender to use it, as libsignal's
/// SessionUsabilityRequirements (its flags, as booleans). All must hold.
struct CLIQUET_EXPORT SessionRequirements {
    /// Not stale: a session the peer started, or one it has answered, or
    /// one started less than kMaxUnansweredSessionAge ago.
    bool not_stale = true;
    /// Started with PQXDH (version 4), not X3DH, answered or not.
    bool pqxdh = false;
    /// Running SPQR. As libsignal warns, an unanswered session that offers
    /// SPQR counts, and can stop counting when the peer answers without it
    /// under PqRatchetPolicy::offer.
    bool spqr = false;

    /// No requirement beyond a sending chain.
    [[nodiscard]] static constexpr SessionRequirements none() noexcept { return {false, false, false}; }
    /// Every requirement: today's Signal.
    [[nodiscard]] static constexpr SessionRequirements all() noexcept { return {true, true, true}; }
};
/// The ratchet states of one session, current and archived.
class CLIQUET_EXPORT SessionRecord {
public:
    /// A record with no state, as before the first handshake.
    SessionRecord();
    ~SessionRecord();
    /// Copies are deep: a copy changes independently of its original.
    ///@{
    SessionRecord(const SessionRecord& other);
    SessionRecord& operator=(const SessionRecord& other);
    SessionRecord(SessionRecord&& other) noexcept;
    SessionRecord& operator=(SessionRecord&& other) noexcept;
    ///@}

    /// Secrets inside: the root, chain and skipped message keys.
    [[nodiscard]] SecretBytes serialize() const;
    /// Malformed bytes, or a state of an unknown version, are Error(storage).
    [[nodiscard]] static SessionRecord deserialize(ByteView bytes);

    /// Whether there is a current state to encrypt with.
    [[nodiscard]] bool has_current_state() const noexcept;
    /// The current state's version (3 or 4), if there is one.
    [[nodiscard]] std::optional<int> session_version() const;
    /// The peer's identity key in the current state, if there is one.
    [[nodiscard]] std::optional<IdentityKey> remote_identity_key() const;
    /// The peer's registration id in the current state, if there is one.
    [[nodiscard]] std::optional<std::uint32_t> remote_registration_id() const;
    /// How many archived states are kept (at most 40).
    [[nodiscard]] std::size_t archived_state_count() const noexcept;
    /// Whether `key` is the current state's own ratchet key: the key the
    /// messages this device sends now carry. A retry request naming it is
    /// about the current state (see process_retry_request()). False without
    /// a current state.
    [[nodiscard]] bool current_ratchet_key_matches(const PublicKey& key) const;

    /// When the current state was made, if recorded (a state made by
    /// libsignal records it only until the peer answers).
    [[nodiscard]] std::optional<Timestamp> created_at() const;
    /// When a message from the peer last decrypted in the current state, if
    /// one has (recorded by cliquet only).
    [[nodiscard]] std::optional<Timestamp> peer_answered_at() const;
    /// Whether the current state can send at `now` under `requirements`:
    /// libsignal's has_usable_sender_chain. False without a current state.
    [[nodiscard]] bool has_usable_sender_chain(Timestamp now, const SessionRequirements& requirements) const;

    /// Moves the current state (if any) to the archive, as a user-initiated
    /// session reset does.
    void archive_current_state();

    /// The library's own view of the states. Not part of the public API.
    ///@{
    protocol::SessionRecordData& data();
    const protocol::SessionRecordData& data() const noexcept;
    ///@}

private:
    // Null in a moved-from record, which reads as empty: a move must not
    // allocate, since it cannot report a failure.
    std::unique_ptr<protocol::SessionRecordData> data_;
};

}  // namespace cliquet
