// The store interfaces of store.hpp over one SqliteStore's Database.
#pragma once

#include <string>

#include "cliquet/error.hpp"
#include "cliquet/sqlite_store.hpp"
#include "cliquet/store.hpp"
#include "store/sqlite_database.hpp"

namespace cliquet::store {

class Identities final : public IdentityKeyStore {
public:
    Identities(Database& db, LocalDevice device) : db_(db), device_(std::move(device)) {}

    const IdentityKeyPair& identity_key_pair() const override { return device_.identity; }
    std::uint32_t local_registration_id() const override { return device_.registration_id; }
    const ProtocolAddress& local_address() const noexcept { return device_.address; }

    std::optional<IdentityKey> identity(const ProtocolAddress& address) const override;
    IdentityChange save_identity(const ProtocolAddress& address, const IdentityKey& key) override;

private:
    std::optional<IdentityKey> load(const ProtocolAddress& address, std::optional<KeptVersion>& version) const;
    RowPlace place(const ProtocolAddress& address) const;
    Database& db_;
    LocalDevice device_;
};

class PreKeys final : public PreKeyStore {
public:
    explicit PreKeys(Database& db) : db_(db) {}
    std::optional<PreKeyRecord> load_pre_key(PreKeyId id) const override;
    void store_pre_key(const PreKeyRecord& record) override;
    void remove_pre_key(PreKeyId id) override;
    std::vector<PreKeyId> pre_key_ids() const override;

private:
    Database& db_;
};

class SignedPreKeys final : public SignedPreKeyStore {
public:
    explicit SignedPreKeys(Database& db) : db_(db) {}
    std::optional<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) const override;
    void store_signed_pre_key(const SignedPreKeyRecord& record) override;
    void remove_signed_pre_key(SignedPreKeyId id) override;
    std::vector<SignedPreKeyId> signed_pre_key_ids() const override;

private:
    Database& db_;
};

class KyberPreKeys final : public KyberPreKeyStore {
public:
    explicit KyberPreKeys(Database& db) : db_(db) {}
    std::optional<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) const override;
    void store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) override;
    void mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                 const PublicKey& base_key) override;
    void remove_kyber_pre_key(KyberPreKeyId id) override;
    std::vector<KyberPreKeyEntry> kyber_pre_keys() const override;

private:
    Database& db_;
};

class Sessions final : public SessionStore {
public:
    explicit Sessions(Database& db) : db_(db) {}
    std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override;
    void store_session(const ProtocolAddress& address, SessionRecord record) override;
    std::vector<std::uint32_t> session_device_ids(std::string_view name) const override;
    void delete_session(const ProtocolAddress& address) override;
    std::size_t delete_all_sessions(std::string_view name) override;

private:
    void replace(const ProtocolAddress& address, const RowPlace& where, const std::optional<KeptVersion>& before,
                 const SecretBytes& stored);
    RowPlace place(const ProtocolAddress& address) const;
    Database& db_;
};

class SenderKeys final : public SenderKeyStore {
public:
    explicit SenderKeys(Database& db) : db_(db) {}
    std::optional<SecretBytes> load_sender_key(const ProtocolAddress& sender,
                                               const DistributionId& distribution_id) const override;
    void store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                          ByteView record) override;
    std::vector<SenderKeyName> sender_key_names() const override;
    void delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) override;

private:
    RowPlace place(const ProtocolAddress& sender, const DistributionId& distribution_id) const;
    Database& db_;
};

class PreKeyMetadataRow final : public PreKeyMetadataStore {
public:
    explicit PreKeyMetadataRow(Database& db) : db_(db) {}
    std::optional<PreKeyMetadata> load_pre_key_metadata() const override;
    void store_pre_key_metadata(const PreKeyMetadata& metadata) override;

private:
    Database& db_;
};

// Error(storage) unless 0 <= value <= 2^32 - 1: a row that does not hold what
// the schema says is a damaged database.
std::uint32_t stored_u32(std::int64_t value, const char* what);

// Runs `parse` on what the database holds and reports any failure as the
// database's, naming what was parsed: whatever a row holds, it came from the
// file.
template <typename Parse>
auto parse_stored(Parse parse, const char* what) {
    try {
        return parse();
    } catch (const Error& e) {
        throw Error(ErrorCode::storage, std::string(what) + ": " + e.what());
    }
}

}  // namespace cliquet::store
