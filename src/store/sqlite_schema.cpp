#include "store/sqlite_schema.hpp"

#include <array>
#include <string>

#include "cliquet/error.hpp"

namespace cliquet::store {
namespace {

// Schema version 1. Rows with large values (sessions, sender keys, Kyber
// pre-keys) keep SQLite's rowid layout, which stores big rows better; the
// small ones are clustered on their key. STRICT makes SQLite itself refuse
// a value of the wrong type.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE local_device (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    registration_id INTEGER NOT NULL,
    identity_key_pair BLOB NOT NULL
) STRICT;
CREATE TABLE identities (
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    identity_key BLOB NOT NULL,
    PRIMARY KEY (name, device_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE pre_keys (
    id INTEGER PRIMARY KEY,
    record BLOB NOT NULL
) STRICT;
CREATE TABLE signed_pre_keys (
    id INTEGER PRIMARY KEY,
    record BLOB NOT NULL
) STRICT;
CREATE TABLE kyber_pre_keys (
    id INTEGER PRIMARY KEY,
    record BLOB NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE sessions (
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (name, device_id)
) STRICT;
CREATE TABLE sender_keys (
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    distribution_id BLOB NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (name, device_id, distribution_id)
) STRICT;
)sql";

// One step of the schema's history: turns version `from` into `from + 1`.
// Runs inside the opening transaction, so a failed step leaves the file as
// it was. A step that changes a row's place (a table or key column) must
// also re-seal the rows it moves, since the place is their associated data.
struct Migration {
    std::int64_t from;
    std::string_view sql;
};

// Version 1 is the first schema; later versions append their step here.
constexpr std::array<Migration, 0> kMigrations{};
static_assert(kMigrations.size() == SqliteStore::kSchemaVersion - 1, "one migration per schema version after 1");

// Every table and index, as sqlite_schema records them.
constexpr std::string_view kSchemaListing =
    "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || ifnull(sql, '') FROM sqlite_schema ORDER BY name";

// What the listing of a sound database of the current version must be:
// taken from a fresh in-memory database, so it cannot drift from kSchema.
const std::string& expected_listing() {
    static const std::string listing = [] {
        Connection reference(":memory:", true);
        reference.exec(kSchema, "creating the reference schema");
        return reference.query_lines(kSchemaListing);
    }();
    return listing;
}

}  // namespace

void lock_exclusively(Connection& connection) {
    // EXCLUSIVE locking: the lock taken by the first transaction is held
    // until the connection closes, so no other connection can advance the
    // same ratchets behind this one's back. With WAL it also means no
    // shared-memory index file. The lock dies with the process, so a killed
    // process never locks its successor out.
    connection.exec("PRAGMA locking_mode = EXCLUSIVE", "setting the locking mode");
    // Deleted pre-keys and replaced session states hold old keys: zero them
    // in the file rather than leave them in free pages (forward secrecy).
    connection.exec("PRAGMA secure_delete = ON", "enabling secure delete");
}

void create_schema(Connection& connection) {
    connection.exec(kSchema, "creating the schema");
    connection.exec("PRAGMA application_id = " + std::to_string(SqliteStore::kApplicationId) +
                        "; PRAGMA user_version = " + std::to_string(SqliteStore::kSchemaVersion),
                    "writing the schema version");
}

void check_and_migrate(Connection& connection) {
    // The first read of the file: a file that is not SQLite fails here.
    const std::int64_t application_id = connection.query_integer("PRAGMA application_id", "reading the file header");
    if (application_id != SqliteStore::kApplicationId)
        throw Error(ErrorCode::storage, "not a cliquet database (application id " + std::to_string(application_id) + ")");
    // Damage anywhere refuses the file before any of it is trusted.
    const std::string check = connection.query_lines("PRAGMA quick_check");
    if (check != "ok\n")
        throw Error(ErrorCode::storage, "database file is corrupt: " + check.substr(0, check.find('\n')));

    std::int64_t version = connection.query_integer("PRAGMA user_version", "reading the schema version");
    if (version > SqliteStore::kSchemaVersion)
        throw Error(ErrorCode::storage, "database schema version " + std::to_string(version) +
                                            " is newer than this build reads (" +
                                            std::to_string(SqliteStore::kSchemaVersion) + ")");
    if (version < 1) throw Error(ErrorCode::storage, "not a cliquet database (no schema version)");
    const std::int64_t first_version = version;
    for (const Migration& step : kMigrations) {
        if (step.from != version) continue;
        connection.exec(step.sql, "migrating the schema");
        ++version;
    }
    if (version != SqliteStore::kSchemaVersion)
        throw Error(ErrorCode::storage, "no migration from schema version " + std::to_string(version));
    if (version != first_version)
        connection.exec("PRAGMA user_version = " + std::to_string(version), "writing the schema version");

    if (connection.query_lines(kSchemaListing) != expected_listing())
        throw Error(ErrorCode::storage, "not a cliquet database: its tables are not the expected ones");
}

void configure(Connection& connection, Durability durability) {
    const std::string mode = connection.query_lines("PRAGMA journal_mode = WAL");
    if (mode != "wal\n") throw Error(ErrorCode::storage, "the database cannot use write-ahead logging");
    connection.exec(durability == Durability::power_loss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                    "setting durability");
    // Keep the write-ahead log from growing past what a checkpoint needs;
    // truncating it also drops old page images sooner.
    connection.exec("PRAGMA journal_size_limit = 1048576", "limiting the log size");
}

}  // namespace cliquet::store
