/// @file
/// Where a device keeps its keys, sessions and trust decisions.
///
/// The protocol reads and writes state only through these interfaces.
/// cliquet ships in-memory implementations (memory_store.hpp); applications
/// plug in their own persistent ones.
///
/// Atomicity: every operation that changes state (processing a bundle,
/// encrypting, decrypting with its pre-key consumption and identity save)
/// first computes everything from what it read, and only then performs its
/// writes, all inside one ProtocolStore::run_atomically call. A failure before
/// that point writes nothing; a persistent store maps run_atomically to a
/// database transaction so that the writes land together or not at all.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/function_ref.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/prekeys.hpp"
#include "cliquet/session_record.hpp"

namespace cliquet {

/// Which way a message whose identity is being judged travels.
enum class Direction { sending, receiving };

/// This device's identity, and the identity keys it has seen for others.
class IdentityKeyStore {
public:
    virtual ~IdentityKeyStore() = default;

    /// This device's identity key pair.
    virtual const IdentityKeyPair& identity_key_pair() const = 0;
    /// This device's registration id.
    virtual std::uint32_t local_registration_id() const = 0;

    /// The identity key recorded for `address`, if any.
    virtual std::optional<IdentityKey> identity(const ProtocolAddress& address) const = 0;
    /// Records `key` for `address`. Returns true when it replaced a different key.
    virtual bool save_identity(const ProtocolAddress& address, const IdentityKey& key) = 0;
    /// Trust on first use: an address never seen is trusted; a known one only
    /// with the key recorded for it. Stores with richer policies override this.
    virtual bool is_trusted_identity(const ProtocolAddress& address, const IdentityKey& key, Direction) const {
        const auto known = identity(address);
        return !known || *known == key;
    }
};

/// This device's one-time pre-keys, removed once a message used them.
class PreKeyStore {
public:
    virtual ~PreKeyStore() = default;
    /// The record under `id`, if held.
    virtual std::optional<PreKeyRecord> load_pre_key(PreKeyId id) const = 0;
    /// Adds or replaces the record under its id.
    virtual void store_pre_key(const PreKeyRecord& record) = 0;
    /// Removing an absent id is not an error.
    virtual void remove_pre_key(PreKeyId id) = 0;
};

/// This device's signed pre-keys.
class SignedPreKeyStore {
public:
    virtual ~SignedPreKeyStore() = default;
    /// The record under `id`, if held.
    virtual std::optional<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) const = 0;
    /// Adds or replaces the record under its id.
    virtual void store_signed_pre_key(const SignedPreKeyRecord& record) = 0;
};

/// This device's Kyber pre-keys.
class KyberPreKeyStore {
public:
    virtual ~KyberPreKeyStore() = default;
    /// The record under `id`, if held.
    virtual std::optional<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) const = 0;
    /// Adds or replaces the record under its id.
    virtual void store_kyber_pre_key(const KyberPreKeyRecord& record) = 0;
    /// Called when a message used the key. Kyber pre-keys in this design are
    /// last-resort keys kept until rotated, so stores may simply note the use.
    virtual void mark_kyber_pre_key_used(KyberPreKeyId id) = 0;
};

/// One SessionRecord per remote address.
class SessionStore {
public:
    virtual ~SessionStore() = default;
    /// A copy: the caller works on it and stores it back only on success.
    virtual std::optional<SessionRecord> load_session(const ProtocolAddress& address) const = 0;
    /// Adds or replaces the record of `address`.
    virtual void store_session(const ProtocolAddress& address, SessionRecord record) = 0;

    /// Runs `update` on the record of `address` and keeps what it changed;
    /// returns false, without calling it, when there is no record. `update`
    /// returns whether it changed the record, and may throw only before its
    /// first change: a store may hand it the stored record itself.
    /// The default loads a copy and stores it back when `update` returns true,
    /// so every store supports it; a store that can lend its record
    /// (MemorySessionStore) overrides it to save the copy. SessionCipher calls
    /// it inside ProtocolStore::run_atomically.
    virtual bool update_session(const ProtocolAddress& address, FunctionRef<bool(SessionRecord&)> update) {
        std::optional<SessionRecord> record = load_session(address);
        if (!record) return false;
        if (update(*record)) store_session(address, std::move(*record));
        return true;
    }
};

/// A sender-key group's distribution id: a UUID, as 16 bytes.
using DistributionId = std::array<std::uint8_t, 16>;

/// Sender-key records (groups) as opaque serialized bytes, keyed by the
/// sending device and the distribution id.
class SenderKeyStore {
public:
    virtual ~SenderKeyStore() = default;
    /// The serialized SenderKeyRecord, if any.
    virtual std::optional<SecretBytes> load_sender_key(const ProtocolAddress& sender,
                                                       const DistributionId& distribution_id) const = 0;
    /// Adds or replaces the record; the bytes hold chain keys, so keep them secret.
    virtual void store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                  ByteView record) = 0;
};

/// All the stores of one device, and the unit of atomicity.
class ProtocolStore {
public:
    virtual ~ProtocolStore() = default;

    /// The stores, each living as long as this object.
    ///@{
    virtual IdentityKeyStore& identities() = 0;
    virtual PreKeyStore& pre_keys() = 0;
    virtual SignedPreKeyStore& signed_pre_keys() = 0;
    virtual KyberPreKeyStore& kyber_pre_keys() = 0;
    virtual SessionStore& sessions() = 0;
    virtual SenderKeyStore& sender_keys() = 0;
    ///@}

    /// Runs `writes`, which makes the store writes of one operation, so that
    /// they take effect together or not at all. If `writes` throws, a store
    /// that can roll back does, and the exception propagates.
    virtual void run_atomically(const std::function<void()>& writes) { writes(); }
};

}  // namespace cliquet
