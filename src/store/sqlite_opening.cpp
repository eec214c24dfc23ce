#include "store/sqlite_opening.hpp"

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
#include "store/sqlite_rows.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_stores.hpp"

namespace cliquet::store {
namespace {

// The meta row holding the integrity record.
constexpr std::string_view kStateName = "state";

RowCodec codec_for(const SqliteStoreOptions& options) {
    return options.storage_key ? RowCodec(options.storage_key->span()) : RowCodec();
}

Integrity integrity_for(const SqliteStoreOptions& options, const DatabaseId& id) {
    return options.storage_key ? Integrity(options.storage_key->span(), id) : Integrity();
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

DatabaseId read_database_id(Connection& connection) {
    const std::optional<Bytes> stored_id = read_meta(connection, kDatabaseIdName);
    if (!stored_id || stored_id->size() != kDatabaseIdSize)
        throw Error(ErrorCode::storage, "database file is corrupt: no database id");
    DatabaseId id;
    std::copy(stored_id->begin(), stored_id->end(), id.begin());
    return id;
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
    // The clear columns are part of the seal's associated data: an edit to
    // any of them is caught here.
    const SecretBytes identity_bytes = [&] {
        try {
            return codec.decode(use.blob(3), local_device_place(id, address, registration_id));
        } catch (const Error&) {
            throw Error(ErrorCode::storage,
                        "integrity check failed: the local device row was altered (its name, device id, "
                        "registration id or sealed identity key pair was edited or damaged)");
        }
    }();
    IdentityKeyPair identity =
        parse_stored([&] { return IdentityKeyPair::deserialize(identity_bytes.span()); }, "stored identity key pair");
    return LocalDevice{std::move(address), std::move(identity), registration_id};
}

// After the migration steps of a file of schema `version`: the state is
// recorded anew from its rows, numbered after its last commit. A file from
// before the integrity record has them trusted as they are: a migration
// cannot tell what an attacker changed before it ran.
void record_migrated_state(Connection& connection, const DatabaseId& id, Integrity& integrity, bool for_guard) {
    Integrity scanned = integrity.empty_like();
    scan_rows(connection, id, scanned);
    integrity.adopt_rows(scanned);
    write_state_record(connection, integrity, for_guard);
    integrity.commit();
}

std::string tampering_message(Tampering tampering, Tracked table) {
    const std::string name(table_name(table));
    switch (tampering) {
        case Tampering::row_deleted:
            return "integrity check failed: a row was deleted from the " + name + " table behind the store's back";
        case Tampering::row_added:
            return "integrity check failed: a row was added to the " + name + " table behind the store's back";
        case Tampering::row_replaced:
        case Tampering::none:
            break;
    }
    return "integrity check failed: a row of the " + name +
           " table was rolled back to an older version, or replaced, behind the store's back";
}

// Loads the integrity record and, with a storage key, checks every table,
// at the places of the file's schema `version`, against it.
void verify_state(Connection& connection, const DatabaseId& id, std::int64_t version, Integrity& integrity) {
    const std::optional<Bytes> record = read_meta(connection, kStateName);
    if (!record) {
        if (integrity.authenticated())
            throw Error(ErrorCode::storage, "integrity check failed: the integrity record was deleted from the file");
        return;
    }
    integrity.load_record(*record);
    if (!integrity.authenticated()) return;
    Integrity scanned = integrity.empty_like();
    scan_rows(connection, id, scanned, version);
    Tracked table{};
    const Tampering tampering = integrity.adopt_scan(scanned, table);
    if (tampering != Tampering::none) throw Error(ErrorCode::storage, tampering_message(tampering, table));
}

// What a store found behind its guard deletes: whatever may reuse a message
// key, accept a message again or start a session again (one-time pre-keys
// the restored copy may hold although they were used since).
void reset_after_rollback(Connection& connection, const DatabaseId& id, Integrity& integrity,
                          std::uint64_t guard_commit) {
    connection.exec("DELETE FROM sessions; DELETE FROM sender_keys; DELETE FROM pre_keys; "
                    "DELETE FROM kyber_pre_keys WHERE last_resort = 0",
                    "resetting a rolled-back store");
    Integrity scanned = integrity.empty_like();
    scan_rows(connection, id, scanned);
    integrity.adopt_rows(scanned);
    integrity.continue_after(guard_commit);
    write_state_record(connection, integrity, /*for_guard=*/true);
    integrity.commit();
}

}  // namespace

void create_file(const std::string& path, const LocalDevice& device, const SqliteStoreOptions& options) {
    if (!absent_or_empty(path)) throw Error(ErrorCode::storage, "will not create a store over the existing file " + path);
    const RowCodec codec = codec_for(options);
    DatabaseId id;
    system_random().fill(id);
    Integrity integrity = integrity_for(options, id);
    // With a guard, a new store numbers its commits after the guard's last
    // one, so that a guard carried over from an earlier store keeps working.
    if (options.rollback_guard) integrity.continue_after(options.rollback_guard->last_commit());

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
        const SecretBytes identity = codec.encode(device.identity.serialize().span(),
                                                  local_device_place(id, device.address, device.registration_id));
        Statement insert(connection.handle(),
                         "INSERT INTO local_device (singleton, name, device_id, registration_id, identity_key_pair) "
                         "VALUES (1, ?1, ?2, ?3, ?4)");
        Statement::Use use(insert);
        use.bind(1, device.address.name).bind(2, device.address.device_id).bind(3, device.registration_id);
        use.bind(4, identity.span()).run();
        write_state_record(connection, integrity, options.rollback_guard != nullptr);
        connection.exec("COMMIT", "committing the new store");
    }
    move_into_place(staging, path);
}

CheckedFile open_file(const std::string& path, const SqliteStoreOptions& options, BehindGuard behind) {
    if (absent_or_empty(path)) throw Error(ErrorCode::storage, "no store at " + path);
    RowCodec codec = codec_for(options);
    RollbackGuard* const guard = options.rollback_guard.get();

    Connection connection(path, /*create=*/false);
    lock_exclusively(connection);
    connection.exec("BEGIN EXCLUSIVE", "locking the store");
    const std::int64_t version = check_file(connection);
    const DatabaseId id = read_database_id(connection);
    check_storage_key(connection, codec, id);
    Integrity integrity = integrity_for(options, id);
    // A file of a version with an integrity record is checked against it
    // before a migration could launder what was changed behind its back.
    if (version >= kIntegrityVersion) verify_state(connection, id, version, integrity);
    if (version < SqliteStore::kSchemaVersion) {
        // In the same transaction: a migration that fails leaves the file as
        // it was. Every step re-seals every value under the new version's
        // places, so a migrated file cannot be passed off as an older one
        // carrying rows written since.
        migrate(MigrationContext{connection, codec, id}, version);
        record_migrated_state(connection, id, integrity, guard != nullptr);
    }
    LocalDevice device = read_local_device(connection, codec, id);

    const std::uint64_t file_commit = integrity.committed().commit;
    const std::uint64_t guard_commit = guard ? guard->last_commit() : 0;
    const bool rolled_back = file_commit < guard_commit;
    if (rolled_back && behind == BehindGuard::refuse)
        throw Error(ErrorCode::storage, "the database was rolled back: it holds commit " + std::to_string(file_commit) +
                                            ", but the rollback guard recorded commit " +
                                            std::to_string(guard_commit) +
                                            " (a restored backup or snapshot?). Its sessions could reuse message "
                                            "keys; see docs/storage.md, \"Whole-file restores\"");
    if (rolled_back) reset_after_rollback(connection, id, integrity, guard_commit);
    connection.exec("COMMIT", "finishing the opening checks");
    configure(connection, options.durability);
    if (options.erasure == Erasure::on_commit) erase_on_commit(connection);
    // The guard catches up with a commit that landed just before a crash
    // kept it from being recorded, and with a recovery.
    if (guard && integrity.committed().commit > guard_commit) guard->record_commit(integrity.committed().commit);
    return CheckedFile{std::move(connection), std::move(codec), id, std::move(device), std::move(integrity)};
}

}  // namespace cliquet::store
