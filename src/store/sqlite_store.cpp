// SqliteStore: opening and creating the database, and run_atomically as a
// transaction. The store interfaces are in sqlite_stores.cpp.
#include "cliquet/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "store/sqlite_erasure.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_stores.hpp"

namespace cliquet {
namespace store {

namespace {

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
    ProtocolAddress address{use.text(0), stored_u32(use.integer(1), "device id")};
    const std::uint32_t registration_id = stored_u32(use.integer(2), "registration id");
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
          sender_keys(database),
          pre_key_metadata(database) {}

    store::Database database;
    store::Identities identities;
    store::PreKeys pre_keys;
    store::SignedPreKeys signed_pre_keys;
    store::KyberPreKeys kyber_pre_keys;
    store::Sessions sessions;
    store::SenderKeys sender_keys;
    store::PreKeyMetadataRow pre_key_metadata;
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
    const std::int64_t version = check_file(connection);
    const std::optional<Bytes> stored_id = read_meta(connection, kDatabaseIdName);
    if (!stored_id || stored_id->size() != kDatabaseIdSize)
        throw Error(ErrorCode::storage, "database file is corrupt: no database id");
    DatabaseId id;
    std::copy(stored_id->begin(), stored_id->end(), id.begin());
    check_storage_key(connection, codec, id);
    // In the same transaction: a migration that fails leaves the file as it was.
    migrate(MigrationContext{connection, codec, id}, version);
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
PreKeyMetadataStore& SqliteStore::pre_key_metadata() { return impl_->pre_key_metadata; }

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
