// The SqliteStore schema, how a file is recognised as one of ours, and the
// migrations from older schema versions.
#pragma once

#include <cstdint>
#include <string_view>

#include "cliquet/sqlite_store.hpp"
#include "store/sqlite_connection.hpp"

namespace cliquet::store {

// Table names, as they appear in the schema and in each sealed row's place.
inline constexpr std::string_view kMetaTable = "meta";
inline constexpr std::string_view kLocalDeviceTable = "local_device";
inline constexpr std::string_view kIdentitiesTable = "identities";
inline constexpr std::string_view kPreKeysTable = "pre_keys";
inline constexpr std::string_view kSignedPreKeysTable = "signed_pre_keys";
inline constexpr std::string_view kKyberPreKeysTable = "kyber_pre_keys";
inline constexpr std::string_view kSessionsTable = "sessions";
inline constexpr std::string_view kSenderKeysTable = "sender_keys";

// Meta rows.
inline constexpr std::string_view kDatabaseIdName = "database_id";
inline constexpr std::string_view kKeyCheckName = "storage_key_check";

// Settings that must precede the first access to the file. The first
// transaction then takes a lock that is held until the connection closes:
// no other connection, in this process or another, may use the file
// meanwhile.
void lock_exclusively(Connection& connection);

// In a new, empty database: writes the current schema, its version and the
// application id.
void create_schema(Connection& connection);

// Refuses anything but a sound cliquet database of a version this build
// reads: a foreign file or application id, a newer schema, tables that are
// not exactly ours, or a file that fails SQLite's quick_check. Migrates an
// older schema to the current one in place. Runs inside the opening
// transaction, so a refused file is left untouched.
void check_and_migrate(Connection& connection);

// Write-ahead logging and the durability asked for; outside a transaction.
void configure(Connection& connection, Durability durability);

}  // namespace cliquet::store
