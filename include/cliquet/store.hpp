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
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/export.hpp"
#include "cliquet/function_ref.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/pre_keys.hpp"
#include "cliquet/session_record.hpp"

namespace cliquet {

/// Which way a message whose identity is being judged travels.
enum class Direction { sending, receiving };

/// What IdentityKeyStore::save_identity did, as libsignal's IdentityChange
/// says (with its "new or unchanged" split in two).
enum class IdentityChange {
    new_identity,  ///< the address had no identity key recorded
    unchanged,     ///< the address had this same key
    replaced,      ///< the address had a different key: its safety number changed
};

/// Error(untrusted_identity) with what an application needs to tell the
/// user "safety number changed" and, once the user accepts, to save the new
/// key: the address and the identity key it presented.
class CLIQUET_EXPORT UntrustedIdentityError : public Error {
public:
    /// `key` is the identity key `address` presented and that is not trusted.
    UntrustedIdentityError(ProtocolAddress address, const IdentityKey& key)
        : Error(ErrorCode::untrusted_identity, "untrusted identity for " + address.to_string()),
          address_(std::move(address)),
          identity_key_(key) {}

    const ProtocolAddress& address() const noexcept { return address_; }   ///< Who presented the key.
    const IdentityKey& identity_key() const noexcept { return identity_key_; }  ///< The key it presented.

private:
    ProtocolAddress address_;
    IdentityKey identity_key_;
};

/// This device's identity, and the identity keys it has seen for others.
class CLIQUET_EXPORT IdentityKeyStore {
public:
    virtual ~IdentityKeyStore() = default;

    /// This device's identity key pair.
    virtual const IdentityKeyPair& identity_key_pair() const = 0;
    /// This device's registration id.
    [[nodiscard]] virtual std::uint32_t local_registration_id() const = 0;

    /// The identity key recorded for `address`, if any.
    [[nodiscard]] virtual std::optional<IdentityKey> identity(const ProtocolAddress& address) const = 0;
    /// Records `key` for `address`, and says whether it was new, the same
    /// as before, or replaced another.
    virtual IdentityChange save_identity(const ProtocolAddress& address, const IdentityKey& key) = 0;
    /// Trust on first use: an address never seen is trusted; a known one only
    /// with the key recorded for it. Stores with richer policies override this.
    [[nodiscard]] virtual bool is_trusted_identity(const ProtocolAddress& address, const IdentityKey& key,
                                                   Direction) const {
        const auto known = identity(address);
        return !known || *known == key;
    }
};

/// What the stores refuse with Error(invalid_argument): storing a pre-key
/// under an id that is already held. A silent replace would break every
/// session a peer is starting with the old key, much later, as a MAC that
/// does not verify.
inline Error pre_key_id_taken(std::string_view kind, std::uint32_t id) {
    return Error(ErrorCode::invalid_argument,
                 std::string(kind) + " id " + std::to_string(id) + " is already held; remove it first");
}

/// This device's one-time (EC) pre-keys, removed once a message used them.
class CLIQUET_EXPORT PreKeyStore {
public:
    virtual ~PreKeyStore() = default;
    /// The record under `id`, if held.
    [[nodiscard]] virtual std::optional<PreKeyRecord> load_pre_key(PreKeyId id) const = 0;
    /// Adds the record under its id; an id already held is refused
    /// (pre_key_id_taken) and nothing changes.
    virtual void store_pre_key(const PreKeyRecord& record) = 0;
    /// Removing an absent id is not an error.
    virtual void remove_pre_key(PreKeyId id) = 0;
    /// The ids held, in increasing order.
    [[nodiscard]] virtual std::vector<PreKeyId> pre_key_ids() const = 0;
};

/// This device's signed pre-keys.
class CLIQUET_EXPORT SignedPreKeyStore {
public:
    virtual ~SignedPreKeyStore() = default;
    /// The record under `id`, if held.
    [[nodiscard]] virtual std::optional<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) const = 0;
    /// Adds the record under its id; an id already held is refused
    /// (pre_key_id_taken) and nothing changes.
    virtual void store_signed_pre_key(const SignedPreKeyRecord& record) = 0;
    /// Removing an absent id is not an error.
    virtual void remove_signed_pre_key(SignedPreKeyId id) = 0;
    /// The ids held, in increasing order.
    [[nodiscard]] virtual std::vector<SignedPreKeyId> signed_pre_key_ids() const = 0;
};

/// How a Kyber pre-key is published, which decides what its use does.
enum class KyberPreKeyKind : std::uint8_t {
    /// Handed out to one sender, removed when a message uses it.
    one_time,
    /// Handed out when the one-time keys have run out, to any number of
    /// senders; kept until rotated.
    last_resort,
};

/// A Kyber pre-key id and its kind, as KyberPreKeyStore lists them.
struct CLIQUET_EXPORT KyberPreKeyEntry {
    KyberPreKeyId id;      ///< its id
    KyberPreKeyKind kind;  ///< one-time or last-resort
    /// Same id and kind.
    friend bool operator==(const KyberPreKeyEntry& a, const KyberPreKeyEntry& b) noexcept {
        return a.id.value() == b.id.value() && a.kind == b.kind;
    }
};

/// This device's Kyber pre-keys, one-time and last-resort.
class CLIQUET_EXPORT KyberPreKeyStore {
public:
    virtual ~KyberPreKeyStore() = default;
    /// The record under `id`, if held.
    [[nodiscard]] virtual std::optional<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) const = 0;
    /// Adds the record under its id, of the given kind; an id already held
    /// is refused (pre_key_id_taken) and nothing changes.
    virtual void store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) = 0;
    /// Called when a pre-key message that starts a new session used the key
    /// together with signed pre-key `signed_pre_key_id` and the sender's
    /// `base_key`. libsignal's contract:
    /// @code{.unparsed}
    ///   one-time     removed; it cannot serve a second message
    ///   last-resort  kept; the (id, signed pre-key id, base key) is
    ///                remembered, and one already remembered is refused:
    ///                Error(invalid_message, "reused base key")
    ///   not held     Error(invalid_pre_key)
    /// @endcode
    /// A refusal changes nothing.
    virtual void mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                         const PublicKey& base_key) = 0;
    /// Removes the key, and what was remembered of its uses. Removing an
    /// absent id is not an error.
    virtual void remove_kyber_pre_key(KyberPreKeyId id) = 0;
    /// The keys held, by increasing id.
    [[nodiscard]] virtual std::vector<KyberPreKeyEntry> kyber_pre_keys() const = 0;
};

/// One SessionRecord per remote address.
class CLIQUET_EXPORT SessionStore {
public:
    virtual ~SessionStore() = default;
    /// A copy: the caller works on it and stores it back only on success.
    /// Copying a record copies no session state (states are shared and never
    /// changed in place), so a store that keeps parsed records can hand out
    /// copies cheaply.
    [[nodiscard]] virtual std::optional<SessionRecord> load_session(const ProtocolAddress& address) const = 0;
    /// Adds or replaces the record of `address`.
    virtual void store_session(const ProtocolAddress& address, SessionRecord record) = 0;

    /// The device ids of account `name` that have a session record, in
    /// increasing order.
    [[nodiscard]] virtual std::vector<std::uint32_t> session_device_ids(std::string_view name) const = 0;
    /// Deletes the record of `address`, every state in it; deleting an
    /// absent one is not an error.
    virtual void delete_session(const ProtocolAddress& address) = 0;
    /// Deletes the records of every device of account `name`; returns how many.
    virtual std::size_t delete_all_sessions(std::string_view name) = 0;
};

/// A sender-key group's distribution id: a UUID, as 16 bytes.
using DistributionId = std::array<std::uint8_t, 16>;

/// What names one sender-key record.
struct CLIQUET_EXPORT SenderKeyName {
    ProtocolAddress sender;          ///< the sending device
    DistributionId distribution_id;  ///< the group's distribution id
    /// Same sender and distribution id.
    friend bool operator==(const SenderKeyName&, const SenderKeyName&) = default;
};

/// Sender-key records (groups) as opaque serialized bytes, keyed by the
/// sending device and the distribution id.
class CLIQUET_EXPORT SenderKeyStore {
public:
    virtual ~SenderKeyStore() = default;
    /// The serialized SenderKeyRecord, if any.
    [[nodiscard]] virtual std::optional<SecretBytes> load_sender_key(const ProtocolAddress& sender,
                                                                     const DistributionId& distribution_id) const = 0;
    /// Adds or replaces the record; the bytes hold chain keys, so keep them secret.
    virtual void store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                  ByteView record) = 0;
    /// Every record held, ordered by sender, then distribution id.
    [[nodiscard]] virtual std::vector<SenderKeyName> sender_key_names() const = 0;
    /// Deletes one record; deleting an absent one is not an error.
    virtual void delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) = 0;
};

/// What PreKeyManager keeps between runs: the next id of each kind to hand
/// out, and which signed and last-resort Kyber pre-keys are current.
struct CLIQUET_EXPORT PreKeyMetadata {
    PreKeyId next_pre_key_id;                                           ///< next one-time EC pre-key id
    SignedPreKeyId next_signed_pre_key_id;                              ///< next signed pre-key id
    KyberPreKeyId next_kyber_pre_key_id;                                ///< next Kyber pre-key id (both kinds)
    std::optional<SignedPreKeyId> current_signed_pre_key_id;            ///< the signed pre-key published now
    std::optional<KyberPreKeyId> current_last_resort_kyber_pre_key_id;  ///< the last-resort key published now
};

/// Where PreKeyMetadata lives; nothing there until PreKeyManager first runs.
class CLIQUET_EXPORT PreKeyMetadataStore {
public:
    virtual ~PreKeyMetadataStore() = default;
    /// What was stored last, if anything.
    [[nodiscard]] virtual std::optional<PreKeyMetadata> load_pre_key_metadata() const = 0;
    /// Replaces it.
    virtual void store_pre_key_metadata(const PreKeyMetadata& metadata) = 0;
};

/// All the stores of one device, and the unit of atomicity.
class CLIQUET_EXPORT ProtocolStore {
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
    virtual PreKeyMetadataStore& pre_key_metadata() = 0;
    ///@}

    /// Runs `writes`, which makes the store writes of one operation, so that
    /// they take effect together or not at all. If `writes` throws, a store
    /// that can roll back does, and the exception propagates.
    virtual void run_atomically(const std::function<void()>& writes) { writes(); }
};

}  // namespace cliquet
