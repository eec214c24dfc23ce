/// @file
/// Stores that live in memory, for tests, tools and applications
/// that persist state their own way.
///
/// None of them locks: a MemoryProtocolStore belongs to one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "cliquet/export.hpp"
#include "cliquet/store.hpp"

namespace cliquet {

/// How MemoryProtocolStore::run_atomically undoes a unit that failed: while
/// one runs, each write of its stores first makes, and records here, the
/// step that undoes it. Whatever can fail (an allocation) happens before the
/// write changes anything, and undoing allocates nothing.
class CLIQUET_EXPORT MemoryUndoLog {
public:
    /// Makes room for one more step, so that recording it cannot fail.
    void reserve() { steps_.reserve(steps_.size() + 1); }
    /// Records the step that undoes the write just made; after reserve().
    void record(std::function<void()> step) noexcept { steps_.push_back(std::move(step)); }
    /// How many writes are recorded: a mark to undo back to.
    std::size_t size() const noexcept { return steps_.size(); }
    /// Undoes the writes recorded after `mark`, newest first, and forgets them.
    void undo_to(std::size_t mark) noexcept;
    /// Keeps every recorded write.
    void forget() noexcept { steps_.clear(); }

private:
    std::vector<std::function<void()>> steps_;
};

/// An IdentityKeyStore in a std::map, trusting on first use.
class CLIQUET_EXPORT MemoryIdentityKeyStore final : public IdentityKeyStore {
public:
    /// This device's identity and registration id; no one else known yet.
    MemoryIdentityKeyStore(IdentityKeyPair identity, std::uint32_t registration_id)
        : identity_(std::move(identity)), registration_id_(registration_id) {}

    const IdentityKeyPair& identity_key_pair() const override { return identity_; }
    [[nodiscard]] std::uint32_t local_registration_id() const override { return registration_id_; }
    [[nodiscard]] std::optional<IdentityKey> identity(const ProtocolAddress& address) const override;
    IdentityChange save_identity(const ProtocolAddress& address, const IdentityKey& key) override;

    /// Every identity recorded so far.
    const std::map<ProtocolAddress, IdentityKey>& all() const noexcept { return known_; }

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    IdentityKeyPair identity_;
    std::uint32_t registration_id_;
    std::map<ProtocolAddress, IdentityKey> known_;
};

/// A PreKeyStore in a std::map.
class CLIQUET_EXPORT MemoryPreKeyStore final : public PreKeyStore {
public:
    [[nodiscard]] std::optional<PreKeyRecord> load_pre_key(PreKeyId id) const override;
    void store_pre_key(const PreKeyRecord& record) override;
    void remove_pre_key(PreKeyId id) override;
    [[nodiscard]] std::vector<PreKeyId> pre_key_ids() const override;

    /// Every record held.
    const std::map<PreKeyId, PreKeyRecord>& all() const noexcept { return records_; }

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    std::map<PreKeyId, PreKeyRecord> records_;
};

/// A SignedPreKeyStore in a std::map.
class CLIQUET_EXPORT MemorySignedPreKeyStore final : public SignedPreKeyStore {
public:
    [[nodiscard]] std::optional<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) const override;
    void store_signed_pre_key(const SignedPreKeyRecord& record) override;
    void remove_signed_pre_key(SignedPreKeyId id) override;
    [[nodiscard]] std::vector<SignedPreKeyId> signed_pre_key_ids() const override;

    /// Every record held.
    const std::map<SignedPreKeyId, SignedPreKeyRecord>& all() const noexcept { return records_; }

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    std::map<SignedPreKeyId, SignedPreKeyRecord> records_;
};

/// A KyberPreKeyStore in std::maps: the records with their kinds, and the
/// base keys each last-resort key was used with.
class CLIQUET_EXPORT MemoryKyberPreKeyStore final : public KyberPreKeyStore {
public:
    /// A record and its kind.
    struct Held {
        KyberPreKeyRecord record;  ///< the key
        KyberPreKeyKind kind;      ///< one-time or last-resort
    };
    /// (Kyber pre-key id, signed pre-key id, serialized base key).
    using Use = std::tuple<KyberPreKeyId, SignedPreKeyId, Bytes>;

    [[nodiscard]] std::optional<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) const override;
    void store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) override;
    void mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                 const PublicKey& base_key) override;
    void remove_kyber_pre_key(KyberPreKeyId id) override;
    [[nodiscard]] std::vector<KyberPreKeyEntry> kyber_pre_keys() const override;

    /// Every record held.
    const std::map<KyberPreKeyId, Held>& all() const noexcept { return records_; }
    /// The uses remembered for last-resort keys.
    const std::set<Use>& uses() const noexcept { return uses_; }

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    std::map<KyberPreKeyId, Held> records_;
    std::set<Use> uses_;
};

/// A SessionStore in a std::map.
class CLIQUET_EXPORT MemorySessionStore final : public SessionStore {
public:
    [[nodiscard]] std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override;
    void store_session(const ProtocolAddress& address, SessionRecord record) override;
    [[nodiscard]] std::vector<std::uint32_t> session_device_ids(std::string_view name) const override;
    void delete_session(const ProtocolAddress& address) override;
    std::size_t delete_all_sessions(std::string_view name) override;

    /// Every record held.
    const std::map<ProtocolAddress, SessionRecord>& all() const noexcept { return records_; }

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    std::map<ProtocolAddress, SessionRecord> records_;
};

/// A SenderKeyStore in a std::map.
class CLIQUET_EXPORT MemorySenderKeyStore final : public SenderKeyStore {
public:
    [[nodiscard]] std::optional<SecretBytes> load_sender_key(const ProtocolAddress& sender,
                                                             const DistributionId& distribution_id) const override;
    void store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                          ByteView record) override;
    [[nodiscard]] std::vector<SenderKeyName> sender_key_names() const override;
    void delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) override;

    /// Every record held.
    const std::map<std::pair<ProtocolAddress, DistributionId>, SecretBytes>& all() const noexcept {
        return records_;
    }

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    std::map<std::pair<ProtocolAddress, DistributionId>, SecretBytes> records_;
};

/// A PreKeyMetadataStore in a std::optional.
class CLIQUET_EXPORT MemoryPreKeyMetadataStore final : public PreKeyMetadataStore {
public:
    [[nodiscard]] std::optional<PreKeyMetadata> load_pre_key_metadata() const override { return metadata_; }
    void store_pre_key_metadata(const PreKeyMetadata& metadata) override;

private:
    friend class MemoryProtocolStore;
    MemoryUndoLog* undo_ = nullptr;  // while a MemoryProtocolStore unit runs
    std::optional<PreKeyMetadata> metadata_;
};

/// One device's stores, all in memory. run_atomically is all or nothing:
/// a unit that throws (a refused write, an allocation that failed) has each
/// write it made undone (see MemoryUndoLog).
class CLIQUET_EXPORT MemoryProtocolStore final : public ProtocolStore {
public:
    /// Empty stores for the device with this identity and registration id.
    MemoryProtocolStore(IdentityKeyPair identity, std::uint32_t registration_id)
        : identities_(std::move(identity), registration_id) {}

    MemoryIdentityKeyStore& identities() override { return identities_; }
    MemoryPreKeyStore& pre_keys() override { return pre_keys_; }
    MemorySignedPreKeyStore& signed_pre_keys() override { return signed_pre_keys_; }
    MemoryKyberPreKeyStore& kyber_pre_keys() override { return kyber_pre_keys_; }
    MemorySessionStore& sessions() override { return sessions_; }
    MemorySenderKeyStore& sender_keys() override { return sender_keys_; }
    MemoryPreKeyMetadataStore& pre_key_metadata() override { return pre_key_metadata_; }

    void run_atomically(const std::function<void()>& writes) override;

private:
    // Points every store at `log` (or at none).
    void use_undo_log(MemoryUndoLog* log) noexcept;

    MemoryIdentityKeyStore identities_;
    MemoryPreKeyStore pre_keys_;
    MemorySignedPreKeyStore signed_pre_keys_;
    MemoryKyberPreKeyStore kyber_pre_keys_;
    MemorySessionStore sessions_;
    MemorySenderKeyStore sender_keys_;
    MemoryPreKeyMetadataStore pre_key_metadata_;
    // The outermost unit's log, kept between units so that its room is
    // made once, not per message.
    MemoryUndoLog undo_log_;
};

}  // namespace cliquet
