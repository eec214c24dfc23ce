/// @file
/// A durable store: every store interface on one SQLite database.
///
/// What a call returns from is on disk: each write, and each run_atomically
/// unit as a whole, is a committed SQLite transaction before the call
/// returns, so a process killed at any instant leaves the database holding
/// the state before an operation or the state after it, never a mix. See
/// docs/storage.md for the schema, the guarantees and their limits.
///
/// Erasure: by default, what a write deletes or replaces (a used one-time
/// pre-key, a session's old chain keys) has left every file SQLite keeps
/// before the call returns; see Erasure.
///
/// Encryption at rest (optional): given a 32-byte storage key, every value
/// (private keys, session and sender-key records, trusted identities) is
/// sealed with XChaCha20-Poly1305 under a key derived from it, with associated
/// data naming the row's place, so a copied file leaks no key material and a
/// row moved elsewhere fails to open. What finds the rows stays readable:
/// the names and device ids of contacts and sessions, distribution ids,
/// pre-key ids and `last_resort` flags, the local name, device id and
/// registration id, and row counts and sizes. The key also authenticates the
/// state as a whole: a row rolled back to an older copy, deleted or added
/// behind the store's back is refused when the file is opened. A whole file
/// put back to an older copy needs a RollbackGuard to be detected.
/// docs/storage.md has the list and the threat model.
///
/// Threads: a SqliteStore may be shared by threads. Every call, and every
/// run_atomically unit as a whole, runs under one mutex; the protocol
/// operations of one conversation must still not overlap (docs/guide.md,
/// Threads). One database file is
/// used by one SqliteStore at a time: a second one, in this process or
/// another, is refused while the first is open.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/store.hpp"

namespace cliquet {

/// The key that seals a database's values at rest.
using StorageKey = SecretArray<32>;

/// How far "committed" reaches.
enum class Durability {
    /// Each commit is synced to the disk (SQLite synchronous=FULL) before the
    /// call returns: nothing acknowledged is lost even if the machine loses
    /// power. The default: a session rolled back by a power cut would encrypt
    /// a second message under a message key already used.
    power_loss,
    /// Each commit is written to the operating system before the call returns
    /// (WAL with synchronous=NORMAL): nothing is lost when the process is
    /// killed, but a power cut or kernel crash may roll back the last commits.
    process_crash,
};

/// When key material that a write deletes or replaces leaves the files on
/// disk: a used one-time pre-key, a pre-key stored anew under its id, and the
/// old chain keys in a replaced session or sender-key record (docs/storage.md,
/// Erasure).
enum class Erasure {
    /// Before the call that deleted or replaced it returns: every commit is
    /// followed by a checkpoint that moves SQLite's write-ahead log into the
    /// database file, whose deleted bytes secure_delete has zeroed, and
    /// truncates the log to nothing. The default. Each commit then also
    /// syncs the database file, in either durability.
    on_commit,
    /// When SQLite's own checkpoints recycle the log (after about 1000 more
    /// pages written), or the store closes: until then the -wal file may hold
    /// old keys, in clear without a storage key. For an application that
    /// wants process_crash's throughput and accepts that a copy of its disk
    /// may reveal the keys of recent messages.
    deferred,
};

/// Detects a whole database file put back to an older copy (a restored
/// backup, a rolled-back virtual machine snapshot), which no file can detect
/// on its own: the application keeps the number of the store's last commit
/// somewhere the file's older copy cannot roll back with it, such as a
/// platform's keystore, a hardware monotonic counter or its server.
///
/// The store numbers its commits and records each number here once the
/// commit is in the file; opening a file whose last commit is below the
/// number recorded is refused (Error(storage), "rolled back"). With a storage
/// key the numbers in the file are authenticated; without one, anyone who can
/// write the file can raise them, so the guard then only catches restores
/// that are not attacks. See docs/storage.md, "Whole-file restores".
class CLIQUET_EXPORT RollbackGuard {
public:
    virtual ~RollbackGuard() = default;
    /// The number last recorded, or 0 before the first. Read when a store
    /// opens or is created.
    [[nodiscard]] virtual std::uint64_t last_commit() = 0;
    /// Records `commit`, larger than every number recorded before, after the
    /// commit it numbers is in the file. It must not throw: a guard that
    /// cannot record, or records only now and then, keeps an older number,
    /// which narrows what it detects but never refuses a sound file.
    virtual void record_commit(std::uint64_t commit) noexcept = 0;
};

/// How a SqliteStore is created or opened.
struct CLIQUET_EXPORT SqliteStoreOptions {
    /// Seals every value at rest and authenticates the state as a whole; the
    /// same key is needed to open the file.
    std::optional<StorageKey> storage_key = std::nullopt;
    Durability durability = Durability::power_loss;  ///< How far a commit reaches.
    Erasure erasure = Erasure::on_commit;            ///< When deleted keys leave the disk.
    /// Optional: refuses a file older than the last commit it recorded. One
    /// guard per database file; it must live as long as the store.
    std::shared_ptr<RollbackGuard> rollback_guard = nullptr;
};

/// The device a database belongs to, written when it is created.
struct CLIQUET_EXPORT LocalDevice {
    ProtocolAddress address;            ///< the device's own address
    IdentityKeyPair identity;           ///< its identity key pair
    std::uint32_t registration_id = 0;  ///< its registration id
};

/// Every store of one device in one SQLite database file.
class CLIQUET_EXPORT SqliteStore final : public ProtocolStore {
public:
    /// The schema version this build writes (PRAGMA user_version). Older
    /// databases are migrated on open; newer ones are refused.
    static constexpr std::int64_t kSchemaVersion = 3;
    /// PRAGMA application_id of every cliquet database: "Clqt".
    static constexpr std::int32_t kApplicationId = 0x436c7174;

    /// Creates a database at `path` for `device`. An existing file that is
    /// not empty is refused: creating never overwrites a store. The file is
    /// built under `path` + ".creating" and renamed into place when complete,
    /// so a process killed meanwhile leaves no half-made store at `path`.
    [[nodiscard]] static std::unique_ptr<SqliteStore> create(const std::string& path, const LocalDevice& device,
                                                             const SqliteStoreOptions& options = {});
    /// Opens the database at `path`. A missing, corrupt, truncated or foreign
    /// file, a newer schema, a missing or wrong storage key, or a file already
    /// open elsewhere is Error(storage), and the file is left as it was. With
    /// a storage key, so is a file in which a row was rolled back, deleted or
    /// added since the store's last commit; with a rollback guard, a file
    /// whose last commit is older than the guard's.
    [[nodiscard]] static std::unique_ptr<SqliteStore> open(const std::string& path,
                                                           const SqliteStoreOptions& options = {});
    /// Opens a file that open() refused as rolled back by the rollback guard
    /// (`options.rollback_guard` is required), after making it safe to use:
    /// every session, sender key and one-time (EC or Kyber) pre-key is
    /// deleted, since they may reuse message keys or accept messages again,
    /// and the commit numbers continue past the guard's. The identity,
    /// trusted identities, signed and last-resort Kyber pre-keys are kept. The application then re-establishes
    /// sessions (retry requests, new pre-keys): docs/storage.md says how. A
    /// file that is not behind the guard opens as with open(), untouched.
    [[nodiscard]] static std::unique_ptr<SqliteStore> open_after_rollback(const std::string& path,
                                                                          const SqliteStoreOptions& options);

    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    /// The address of the device the database belongs to.
    const ProtocolAddress& local_address() const noexcept;

    /// The stores, each writing to this database and living as long as this object.
    ///@{
    IdentityKeyStore& identities() override;
    PreKeyStore& pre_keys() override;
    SignedPreKeyStore& signed_pre_keys() override;
    KyberPreKeyStore& kyber_pre_keys() override;
    SessionStore& sessions() override;
    SenderKeyStore& sender_keys() override;
    PreKeyMetadataStore& pre_key_metadata() override;
    ///@}

    /// One SQLite transaction (BEGIN IMMEDIATE ... COMMIT): if `writes`
    /// throws, everything it wrote is rolled back and the exception
    /// propagates. A nested call is a savepoint inside the outer transaction,
    /// rolled back alone if its own `writes` throws. Other threads wait until
    /// the outermost call returns.
    void run_atomically(const std::function<void()>& writes) override;

private:
    struct Impl;
    explicit SqliteStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cliquet
