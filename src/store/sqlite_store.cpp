// SqliteStore: opening and creating the database, the six store interfaces
// over it, and run_atomically as a transaction.
#include "cliquet/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <system_error>

#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "store/sqlite_database.hpp"
#include "store/sqlite_erasure.hpp"
#include "store/sqlite_schema.hpp"

namespace cliquet {
namespace store {

Database::Database(Connection opened, RowCodec row_codec, const DatabaseId& id)
    : connection(std::move(opened)),
      codec(std::move(row_codec)),
      database_id(id),
      begin(connection.handle(), "BEGIN IMMEDIATE"),
      commit(connection.handle(), "COMMIT"),
      rollback(connection.handle(), "ROLLBACK"),
      savepoint(connection.handle(), "SAVEPOINT nested"),
      release_savepoint(connection.handle(), "RELEASE nested"),
      rollback_to_savepoint(connection.handle(), "ROLLBACK TO nested"),
      select_identity(connection.handle(), "SELECT identity_key FROM identities WHERE name = ?1 AND device_id = ?2"),
      upsert_identity(connection.handle(),
                      "INSERT INTO identities (name, device_id, identity_key) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (name, device_id) DO UPDATE SET identity_key = excluded.identity_key"),
      select_pre_key(connection.handle(), "SELECT record FROM pre_keys WHERE id = ?1"),
      upsert_pre_key(connection.handle(), "INSERT OR REPLACE INTO pre_keys (id, record) VALUES (?1, ?2)"),
      delete_pre_key(connection.handle(), "DELETE FROM pre_keys WHERE id = ?1"),
      select_signed_pre_key(connection.handle(), "SELECT record FROM signed_pre_keys WHERE id = ?1"),
      upsert_signed_pre_key(connection.handle(), "INSERT OR REPLACE INTO signed_pre_keys (id, record) VALUES (?1, ?2)"),
      select_kyber_pre_key(connection.handle(), "SELECT record FROM kyber_pre_keys WHERE id = ?1"),
      // A record stored anew under an id is a new key: not used yet.
      upsert_kyber_pre_key(connection.handle(),
                           "INSERT OR REPLACE INTO kyber_pre_keys (id, record, used) VALUES (?1, ?2, 0)"),
      mark_kyber_pre_key_used(connection.handle(), "UPDATE kyber_pre_keys SET used = 1 WHERE id = ?1"),
      select_session(connection.handle(), "SELECT record FROM sessions WHERE name = ?1 AND device_id = ?2"),
      upsert_session(connection.handle(),
                     "INSERT INTO sessions (name, device_id, record) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (name, device_id) DO UPDATE SET record = excluded.record"),
      select_sender_key(connection.handle(),
                        "SELECT record FROM sender_keys WHERE name = ?1 AND device_id = ?2 AND distribution_id = ?3"),
      upsert_sender_key(connection.handle(),
                        "INSERT INTO sender_keys (name, device_id, distribution_id, record) VALUES (?1, ?2, ?3, ?4) "
                        "ON CONFLICT (name, device_id, distribution_id) DO UPDATE SET record = excluded.record") {}

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// The stored value of the one row `select` finds (its key already bound),
// opened at `place`; nothing when there is no such row.
std::optional<SecretBytes> load_row(Database& db, Statement::Use& select, const RowPlace& place) {
    if (!select.step()) return std::nullopt;
    return db.codec.decode(select.blob(0), place);
}

// Runs `parse` on what the database holds and reports any failure as the
// database's: whatever a row holds, it came from the file.
template <typename Parse>
auto parse_stored(Parse parse, const char* what) {
    try {
        return parse();
    } catch (const Error& e) {
        if (e.code() == ErrorCode::storage) throw;
        throw Error(ErrorCode::storage, std::string(what) + ": " + e.what());
    }
}

void require_stored_id(std::uint32_t stored, std::uint32_t requested, const char* what) {
    if (stored != requested)
        throw Error(ErrorCode::storage, std::string(what) + " stored under id " + std::to_string(requested) +
                                            " holds id " + std::to_string(stored));
}

class Identities final : public IdentityKeyStore {
public:
    Identities(Database& db, LocalDevice device) : db_(db), device_(std::move(device)) {}

    const IdentityKeyPair& identity_key_pair() const override { return device_.identity; }
    std::uint32_t local_registration_id() const override { return device_.registration_id; }
    const ProtocolAddress& local_address() const noexcept { return device_.address; }

    std::optional<IdentityKey> identity(const ProtocolAddress& address) const override {
        Lock lock(db_.mutex);
        Statement::Use select(db_.select_identity);
        select.bind(1, address.name).bind(2, address.device_id);
        const auto stored = load_row(db_, select, place(address));
        if (!stored) return std::nullopt;
        return parse_stored([&] { return IdentityKey::deserialize(stored->span()); }, "stored identity key");
    }

    bool save_identity(const ProtocolAddress& address, const IdentityKey& key) override {
        Lock lock(db_.mutex);
        const auto known = identity(address);
        const Bytes serialized = key.serialize();
        const SecretBytes stored = db_.codec.encode(serialized, place(address));
        Statement::Use upsert(db_.upsert_identity);
        upsert.bind(1, address.name).bind(2, address.device_id).bind(3, stored.span()).run();
        return known && *known != key;
    }

private:
    RowPlace place(const ProtocolAddress& address) const {
        RowPlace where = db_.place(kIdentitiesTable);
        where.key(address.name).key(address.device_id);
        return where;
    }

    Database& db_;
    LocalDevice device_;
};

class PreKeys final : public PreKeyStore {
public:
    explicit PreKeys(Database& db) : db_(db) {}

    std::optional<PreKeyRecord> load_pre_key(PreKeyId id) const override {
        Lock lock(db_.mutex);
        Statement::Use select(db_.select_pre_key);
        select.bind(1, id);
        const auto stored = load_row(db_, select, place(id));
        if (!stored) return std::nullopt;
        PreKeyRecord record = PreKeyRecord::deserialize(stored->span());
        require_stored_id(record.id(), id, "pre-key record");
        return record;
    }

    void store_pre_key(const PreKeyRecord& record) override {
        const SecretBytes stored = db_.codec.encode(record.serialize().span(), place(record.id()));
        Lock lock(db_.mutex);
        Statement::Use upsert(db_.upsert_pre_key);
        upsert.bind(1, record.id()).bind(2, stored.span()).run();
    }

    void remove_pre_key(PreKeyId id) override {
        Lock lock(db_.mutex);
        Statement::Use remove(db_.delete_pre_key);
        remove.bind(1, id).run();
    }

private:
    RowPlace place(PreKeyId id) const {
        RowPlace where = db_.place(kPreKeysTable);
        where.key(id);
        return where;
    }
    Database& db_;
};

class SignedPreKeys final : public SignedPreKeyStore {
public:
    explicit SignedPreKeys(Database& db) : db_(db) {}

    std::optional<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) const override {
        Lock lock(db_.mutex);
        Statement::Use select(db_.select_signed_pre_key);
        select.bind(1, id);
        const auto stored = load_row(db_, select, place(id));
        if (!stored) return std::nullopt;
        SignedPreKeyRecord record = SignedPreKeyRecord::deserialize(stored->span());
        require_stored_id(record.id(), id, "signed pre-key record");
        return record;
    }

    void store_signed_pre_key(const SignedPreKeyRecord& record) override {
        const SecretBytes stored = db_.codec.encode(record.serialize().span(), place(record.id()));
        Lock lock(db_.mutex);
        Statement::Use upsert(db_.upsert_signed_pre_key);
        upsert.bind(1, record.id()).bind(2, stored.span()).run();
    }

private:
    RowPlace place(SignedPreKeyId id) const {
        RowPlace where = db_.place(kSignedPreKeysTable);
        where.key(id);
        return where;
    }
    Database& db_;
};

class KyberPreKeys final : public KyberPreKeyStore {
public:
    explicit KyberPreKeys(Database& db) : db_(db) {}

    std::optional<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) const override {
        Lock lock(db_.mutex);
        Statement::Use select(db_.select_kyber_pre_key);
        select.bind(1, id);
        const auto stored = load_row(db_, select, place(id));
        if (!stored) return std::nullopt;
        KyberPreKeyRecord record = KyberPreKeyRecord::deserialize(stored->span());
        require_stored_id(record.id(), id, "Kyber pre-key record");
        return record;
    }

    void store_kyber_pre_key(const KyberPreKeyRecord& record) override {
        const SecretBytes stored = db_.codec.encode(record.serialize().span(), place(record.id()));
        Lock lock(db_.mutex);
        Statement::Use upsert(db_.upsert_kyber_pre_key);
        upsert.bind(1, record.id()).bind(2, stored.span()).run();
    }

    // Kept, not deleted: Kyber pre-keys here are last-resort keys.
    void mark_kyber_pre_key_used(KyberPreKeyId id) override {
        Lock lock(db_.mutex);
        Statement::Use mark(db_.mark_kyber_pre_key_used);
        mark.bind(1, id).run();
    }

private:
    RowPlace place(KyberPreKeyId id) const {
        RowPlace where = db_.place(kKyberPreKeysTable);
        where.key(id);
        return where;
    }
    Database& db_;
};

class Sessions final : public SessionStore {
public:
    explicit Sessions(Database& db) : db_(db) {}

    std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override {
        Lock lock(db_.mutex);
        Statement::Use select(db_.select_session);
        select.bind(1, address.name).bind(2, address.device_id);
        const auto stored = load_row(db_, select, place(address));
        if (!stored) return std::nullopt;
        return SessionRecord::deserialize(stored->span());
    }

    void store_session(const ProtocolAddress& address, SessionRecord record) override {
        const SecretBytes stored = db_.codec.encode(record.serialize().span(), place(address));
        Lock lock(db_.mutex);
        Statement::Use upsert(db_.upsert_session);
        upsert.bind(1, address.name).bind(2, address.device_id).bind(3, stored.span()).run();
    }

private:
    RowPlace place(const ProtocolAddress& address) const {
        RowPlace where = db_.place(kSessionsTable);
        where.key(address.name).key(address.device_id);
        return where;
    }
    Database& db_;
};

class SenderKeys final : public SenderKeyStore {
public:
    explicit SenderKeys(Database& db) : db_(db) {}

    std::optional<SecretBytes> load_sender_key(const ProtocolAddress& sender,
                                               const DistributionId& distribution_id) const override {
        Lock lock(db_.mutex);
        Statement::Use select(db_.select_sender_key);
        select.bind(1, sender.name).bind(2, sender.device_id).bind(3, ByteView(distribution_id));
        return load_row(db_, select, place(sender, distribution_id));
    }

    void store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                          ByteView record) override {
        const SecretBytes stored = db_.codec.encode(record, place(sender, distribution_id));
        Lock lock(db_.mutex);
        Statement::Use upsert(db_.upsert_sender_key);
        upsert.bind(1, sender.name).bind(2, sender.device_id).bind(3, ByteView(distribution_id));
        upsert.bind(4, stored.span()).run();
    }

private:
    RowPlace place(const ProtocolAddress& sender, const DistributionId& distribution_id) const {
        RowPlace where = db_.place(kSenderKeysTable);
        where.key(sender.name).key(sender.device_id).key(ByteView(distribution_id));
        return where;
    }
    Database& db_;
};

RowCodec codec_for(const SqliteStoreOptions& options) {
    return options.storage_key ? RowCodec(options.storage_key->span()) : RowCodec();
}

RowPlace local_device_place(const DatabaseId& id) {
    RowPlace place = RowPlace(id, SqliteStore::kSchemaVersion, kLocalDeviceTable);
    place.key(1);
    return place;
}

bool absent_or_empty(const std::string& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (status.type() == std::filesystem::file_type::not_found) return true;
    if (error) throw Error(ErrorCode::storage, "cannot inspect " + path + ": " + error.message());
    if (status.type() != std::filesystem::file_type::regular)
        throw Error(ErrorCode::storage, path + " is not a regular file");
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw Error(ErrorCode::storage, "cannot inspect " + path + ": " + error.message());
    return size == 0;
}

void sync_directory_of(const std::string& path) {
    std::filesystem::path directory = std::filesystem::path(path).parent_path();
    if (directory.empty()) directory = ".";
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int result = fd < 0 ? -1 : ::fsync(fd);
    if (fd >= 0) ::close(fd);
    if (result != 0) throw Error(ErrorCode::storage, "cannot sync the directory of " + path);
}

void remove_leftovers(const std::string& staging) {
    std::error_code ignored;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(staging + suffix, ignored);
}

// Renames the finished store to `path` and makes the rename itself durable
// by syncing the directory that holds it.
void move_into_place(const std::string& staging, const std::string& path) {
    std::error_code error;
    std::filesystem::rename(staging, path, error);
    if (error) throw Error(ErrorCode::storage, "cannot move the new store to " + path + ": " + error.message());
    sync_directory_of(path);
}

std::int64_t in_u32_range(std::int64_t value, const char* what) {
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max())
        throw Error(ErrorCode::storage, std::string("database file is corrupt: ") + what + " out of range");
    return value;
}

// The meta row `name`, if present, as its stored bytes.
std::optional<Bytes> read_meta(Connection& connection, std::string_view name) {
    Statement select(connection.handle(), "SELECT value FROM meta WHERE name = ?1");
    Statement::Use use(select);
    use.bind(1, name);
    if (!use.step()) return std::nullopt;
    const ByteView value = use.blob(0);
    return Bytes(value.begin(), value.end());
}

void write_meta(Connection& connection, std::string_view name, ByteView value) {
    Statement insert(connection.handle(), "INSERT INTO meta (name, value) VALUES (?1, ?2)");
    Statement::Use use(insert);
    use.bind(1, name).bind(2, value).run();
}

// Refuses a missing key, an unexpected one, or the wrong one, up front:
// before any sealed row is read.
void check_storage_key(Connection& connection, const RowCodec& codec, const DatabaseId& id) {
    const std::optional<Bytes> stored_check = read_meta(connection, kKeyCheckName);
    if (stored_check && !codec.sealing())
        throw Error(ErrorCode::storage, "the database is encrypted: a storage key is needed");
    if (!stored_check && codec.sealing())
        throw Error(ErrorCode::storage, "the database is not encrypted, yet a storage key was given");
    if (stored_check && !constant_time_equal(*stored_check, codec.key_check_value(id).span()))
        throw Error(ErrorCode::storage, "wrong storage key");
}

LocalDevice read_local_device(Connection& connection, const RowCodec& codec, const DatabaseId& id) {
    Statement select(connection.handle(),
                     "SELECT name, device_id, registration_id, identity_key_pair FROM local_device WHERE singleton = 1");
    Statement::Use use(select);
    if (!use.step()) throw Error(ErrorCode::storage, "database file is corrupt: it holds no local device");
    ProtocolAddress address{use.text(0), static_cast<std::uint32_t>(in_u32_range(use.integer(1), "device id"))};
    const auto registration_id = static_cast<std::uint32_t>(in_u32_range(use.integer(2), "registration id"));
    const SecretBytes identity_bytes = codec.decode(use.blob(3), local_device_place(id));
    IdentityKeyPair identity =
        parse_stored([&] { return IdentityKeyPair::deserialize(identity_bytes.span()); }, "stored identity key pair");
    return LocalDevice{std::move(address), std::move(identity), registration_id};
}

}  // namespace
}  // namespace store

struct SqliteStore::Impl {
    Impl(store::Connection connection, store::RowCodec codec, const store::DatabaseId& id, LocalDevice device)
        : database(std::move(connection), std::move(codec), id),
          identities(database, std::move(device)),
          pre_keys(database),
          signed_pre_keys(database),
          kyber_pre_keys(database),
          sessions(database),
          sender_keys(database) {}

    store::Database database;
    store::Identities identities;
    store::PreKeys pre_keys;
    store::SignedPreKeys signed_pre_keys;
    store::KyberPreKeys kyber_pre_keys;
    store::Sessions sessions;
    store::SenderKeys sender_keys;
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

std::unique_ptr<SqliteStore> SqliteStore::create(const std::string& path, const LocalDevice& device,
                                                 const SqliteStoreOptions& options) {
    using namespace store;
    if (!absent_or_empty(path)) throw Error(ErrorCode::storage, "will not create a store over the existing file " + path);
    RowCodec codec = codec_for(options);
    DatabaseId id;
    system_random().fill(id);

    // The store is built under another name and renamed into place once
    // complete, so that a process killed while creating it leaves no
    // half-made file at `path` for the next one to trip over.
    const std::string staging = path + ".creating";
    remove_leftovers(staging);
    {
        // Rollback-journal mode with SQLite's default synchronous=FULL: once
        // COMMIT returns, everything is in the file itself (no log to carry
        // along). open() switches the store to WAL.
        Connection connection(staging, /*create=*/true);
        lock_exclusively(connection);
        connection.exec("BEGIN EXCLUSIVE", "starting to create the store");
        create_schema(connection);
        write_meta(connection, kDatabaseIdName, id);
        if (codec.sealing()) write_meta(connection, kKeyCheckName, codec.key_check_value(id).span());
        const SecretBytes identity = codec.encode(device.identity.serialize().span(), local_device_place(id));
        Statement insert(connection.handle(),
                         "INSERT INTO local_device (singleton, name, device_id, registration_id, identity_key_pair) "
                         "VALUES (1, ?1, ?2, ?3, ?4)");
        Statement::Use use(insert);
        use.bind(1, device.address.name).bind(2, device.address.device_id).bind(3, device.registration_id);
        use.bind(4, identity.span()).run();
        connection.exec("COMMIT", "committing the new store");
    }
    move_into_place(staging, path);
    return open(path, options);
}

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, const SqliteStoreOptions& options) {
    using namespace store;
    if (absent_or_empty(path)) throw Error(ErrorCode::storage, "no store at " + path);
    RowCodec codec = codec_for(options);

    Connection connection(path, /*create=*/false);
    lock_exclusively(connection);
    connection.exec("BEGIN EXCLUSIVE", "locking the store");
    check_and_migrate(connection);
    const std::optional<Bytes> stored_id = read_meta(connection, kDatabaseIdName);
    if (!stored_id || stored_id->size() != kDatabaseIdSize)
        throw Error(ErrorCode::storage, "database file is corrupt: no database id");
    DatabaseId id;
    std::copy(stored_id->begin(), stored_id->end(), id.begin());
    check_storage_key(connection, codec, id);
    LocalDevice device = read_local_device(connection, codec, id);
    connection.exec("COMMIT", "finishing the opening checks");
    configure(connection, options.durability);
    if (options.erasure == Erasure::on_commit) erase_on_commit(connection);
    return std::unique_ptr<SqliteStore>(
        new SqliteStore(std::make_unique<Impl>(std::move(connection), std::move(codec), id, std::move(device))));
}

const ProtocolAddress& SqliteStore::local_address() const noexcept { return impl_->identities.local_address(); }

IdentityKeyStore& SqliteStore::identities() { return impl_->identities; }
PreKeyStore& SqliteStore::pre_keys() { return impl_->pre_keys; }
SignedPreKeyStore& SqliteStore::signed_pre_keys() { return impl_->signed_pre_keys; }
KyberPreKeyStore& SqliteStore::kyber_pre_keys() { return impl_->kyber_pre_keys; }
SessionStore& SqliteStore::sessions() { return impl_->sessions; }
SenderKeyStore& SqliteStore::sender_keys() { return impl_->sender_keys; }

void SqliteStore::run_atomically(const std::function<void()>& writes) {
    using store::Statement;
    store::Database& db = impl_->database;
    std::lock_guard<std::recursive_mutex> lock(db.mutex);
    const bool outermost = db.transaction_depth == 0;
    Statement::Use(outermost ? db.begin : db.savepoint).run();
    ++db.transaction_depth;
    try {
        writes();
    } catch (...) {
        --db.transaction_depth;
        // Undo, then report what went wrong in `writes`. An undo that fails
        // too (SQLite may have rolled back already after an I/O error)
        // leaves nothing of this unit to keep, either way.
        try {
            if (outermost) {
                if (!sqlite3_get_autocommit(db.connection.handle())) Statement::Use(db.rollback).run();
            } else {
                Statement::Use(db.rollback_to_savepoint).run();
                Statement::Use(db.release_savepoint).run();
            }
        } catch (const Error&) {
        }
        throw;
    }
    --db.transaction_depth;
    if (!outermost) {
        Statement::Use(db.release_savepoint).run();
        return;
    }
    try {
        Statement::Use(db.commit).run();
    } catch (const Error&) {
        // A commit that failed (disk full, I/O error) must not leave the
        // transaction open for the next caller's writes to join.
        if (!sqlite3_get_autocommit(db.connection.handle())) {
            try {
                Statement::Use(db.rollback).run();
            } catch (const Error&) {
            }
        }
        throw;
    }
}

}  // namespace cliquet
