// The SqliteStore schema, how a file is recognised as one of ours, and the
// migrations from older schema versions.
#pragma once

#include <cstdint>
#include <string_view>

#include "cliquet/sqlite_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/sqlite_sealing.hpp"

namespace cliquet::store {

// Table names, as they appear in the schema and in each sealed row's place.
inline constexpr std::string_view kMetaTable = "meta";
inline constexpr std::string_view kLocalDeviceTable = "local_device";
inline constexpr std::string_view kIdentitiesTable = "identities";
inline constexpr std::string_view kPreKeysTable = "pre_keys";
inline constexpr std::string_view kSignedPreKeysTable = "signed_pre_keys";
inline constexpr std::string_view kKyberPreKeysTable = "kyber_pre_keys";
inline constexpr std::string_view kKyberBaseKeysUsedTable = "kyber_base_keys_used";
inline constexpr std::string_view kPreKeyMetadataTable = "pre_key_metadata";
inline constexpr std::string_view kSessionsTable = "sessions";
inline constexpr std::string_view kSenderKeysTable = "sender_keys";

// The first schema version that keeps an integrity record of the state and
// binds the local device's clear columns to its seal.
inline constexpr std::int64_t kIntegrityVersion = 3;

// Meta rows.
inline constexpr std::string_view kDatabaseIdName = "database_id";
inline constexpr std::string_view kKeyCheckName = "storage_key_check";

// Settings that must precede the first access to the file. The first
// transaction then takes a lock that is held until the connection closes:
// no other connection, in this process or another, may use the file
// meanwhile.
void lock_exclusively(Connection& connection);

// In a new, empty database: writes the current schema, its version and the
// application id. The schema is built by the same steps that migrate an old
// file, so a new file and a migrated one cannot differ.
void create_schema(Connection& connection);

// Refuses anything but a sound cliquet database of a version this build
// reads: a foreign file or application id, a newer schema, tables that are
// not exactly those of the file's own version (checked before anything the
// file defines is evaluated), or a file that fails SQLite's quick_check.
// Returns the file's schema version. Runs inside the opening transaction,
// so a refused file is left untouched.
std::int64_t check_file(Connection& connection);

// What a migration step may need beyond SQL: the row codec and the
// database id, to re-seal rows whose place changes.
struct MigrationContext {
    Connection& connection;
    const RowCodec& codec;
    const DatabaseId& database_id;
};

// Brings a file checked at `version` to kSchemaVersion, one step at a time:
// each step's SQL, then its own row rewrites, then (with a storage key) the
// re-sealing of every sealed row at its new place, then the user_version
// bump, all inside the opening transaction: a step that fails leaves the
// file exactly as it was. Checks the result against the current schema.
void migrate(const MigrationContext& context, std::int64_t version);

// Write-ahead logging and the durability asked for; outside a transaction.
void configure(Connection& connection, Durability durability);

}  // namespace cliquet::store
