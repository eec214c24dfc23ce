/// @file
/// The pre-keys a device publishes, over their whole life: generated in
/// batches under ids that never collide, replenished before they run out,
/// the signed and last-resort Kyber pre-keys rotated on a schedule and their
/// predecessors deleted after a grace period, and the public set a server
/// takes.
///
/// @code
///   PreKeyManager keys(store);
///   // At registration, and then once a day or at every start:
///   PreKeyUpload fresh = keys.run_schedule();
///   if (!fresh.empty()) server.upload(fresh);  // only what is new
/// @endcode
///
/// Everything it keeps between runs (the next ids, which keys are current)
/// is in the store's PreKeyMetadataStore, and every run writes in one
/// ProtocolStore::run_atomically unit. docs/guide.md, "Keys and sessions
/// over time", gives the schedule and why.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "cliquet/export.hpp"
#include "cliquet/kem.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/pre_keys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/store.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// The largest pre-key id PreKeyManager hands out. Ids count up from a
/// random start and wrap within 24 bits, as Signal's apps do, skipping 0
/// and any id still held.
inline constexpr std::uint32_t kMaxManagedPreKeyId = 0xFFFFFF;

/// When PreKeyManager::run_schedule replenishes, rotates and deletes.
struct CLIQUET_EXPORT PreKeySchedule {
    /// One-time keys (EC and Kyber, each) made when fewer than
    /// `replenish_below` remain.
    std::size_t batch_size = 100;
    /// The count under which a kind of one-time key is replenished.
    std::size_t replenish_below = 10;
    /// The age at which the signed and the last-resort Kyber pre-key are
    /// replaced.
    std::chrono::milliseconds rotation_interval = std::chrono::days{2};
    /// How long a replaced signed or last-resort key is kept, for messages
    /// a sender started with it before the server had its successor.
    std::chrono::milliseconds grace_period = std::chrono::days{30};
};

/// A one-time EC pre-key as a server takes it.
struct CLIQUET_EXPORT PublicPreKey {
    PreKeyId id;    ///< its id
    PublicKey key;  ///< its public key
};

/// A signed pre-key as a server takes it.
struct CLIQUET_EXPORT PublicSignedPreKey {
    SignedPreKeyId id;    ///< its id
    PublicKey key;        ///< its public key
    Signature signature;  ///< the identity key's signature over the key
};

/// A Kyber pre-key as a server takes it.
struct CLIQUET_EXPORT PublicKyberPreKey {
    KyberPreKeyId id;     ///< its id
    KemPublicKey key;     ///< its public key (with libsignal's type byte)
    Signature signature;  ///< the identity key's signature over the key
};

/// What a device uploads to the server: the parts of Signal's key upload.
struct CLIQUET_EXPORT PreKeyUpload {
    std::optional<PublicSignedPreKey> signed_pre_key;            ///< the current signed pre-key
    std::optional<PublicKyberPreKey> last_resort_kyber_pre_key;  ///< the current last-resort Kyber key
    std::vector<PublicPreKey> one_time_pre_keys;                 ///< one-time EC pre-keys
    std::vector<PublicKyberPreKey> one_time_kyber_pre_keys;      ///< one-time Kyber pre-keys

    /// Nothing to upload.
    [[nodiscard]] bool empty() const noexcept {
        return !signed_pre_key && !last_resort_kyber_pre_key && one_time_pre_keys.empty() &&
               one_time_kyber_pre_keys.empty();
    }
};

/// How many unused one-time keys a device still holds (a used one is gone).
struct CLIQUET_EXPORT UnusedPreKeyCounts {
    std::size_t one_time_pre_keys = 0;        ///< EC
    std::size_t one_time_kyber_pre_keys = 0;  ///< Kyber
};

/// Runs a device's pre-keys through their life, over its stores.
class CLIQUET_EXPORT PreKeyManager {
public:
    /// `store` must outlive the manager. `clock` dates new keys and decides
    /// rotations (empty: the system clock).
    explicit PreKeyManager(ProtocolStore& store, PreKeySchedule schedule = {}, RandomSource& random = system_random(),
                           Clock clock = {});

    /// How many one-time keys of each kind remain unused.
    [[nodiscard]] UnusedPreKeyCounts unused_counts() const;

    /// Makes and stores `count` one-time EC pre-keys under fresh ids; returns them.
    [[nodiscard]] std::vector<PublicPreKey> generate_one_time_pre_keys(std::size_t count);
    /// Makes and stores `count` one-time Kyber pre-keys under fresh ids; returns them.
    [[nodiscard]] std::vector<PublicKyberPreKey> generate_one_time_kyber_pre_keys(std::size_t count);

    /// Replaces the signed pre-key by a new one now, whatever its age; returns it.
    [[nodiscard]] PublicSignedPreKey rotate_signed_pre_key();
    /// Replaces the last-resort Kyber pre-key by a new one now; returns it.
    [[nodiscard]] PublicKyberPreKey rotate_last_resort_kyber_pre_key();

    /// The whole periodic step, in one atomic unit: replenish each kind of
    /// one-time key under `replenish_below`, rotate the signed and the
    /// last-resort key when missing or older than `rotation_interval`, and
    /// delete replaced ones whose grace period is over. Returns what is new,
    /// which is what to upload; empty when nothing was due.
    [[nodiscard]] PreKeyUpload run_schedule();

    /// Everything currently published: the current signed and last-resort
    /// keys and every unused one-time key, for a first or a full upload.
    [[nodiscard]] PreKeyUpload upload_set() const;

private:
    struct Plan;
    [[nodiscard]] PreKeyMetadata load_metadata() const;
    void commit(Plan& plan);

    ProtocolStore& store_;
    PreKeySchedule schedule_;
    RandomSource& random_;
    Clock clock_;
};

}  // namespace cliquet
