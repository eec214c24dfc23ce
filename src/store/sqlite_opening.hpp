// Creating a SqliteStore's file, and opening one: every check a file passes
// before the store trusts it, the migrations, and the rollback guard.
#pragma once

#include <string>

#include "cliquet/sqlite_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/sqlite_integrity.hpp"
#include "store/sqlite_sealing.hpp"

namespace cliquet::store {

// What a file found behind its rollback guard gets.
enum class BehindGuard {
    refuse,   // open(): Error(storage), the file untouched
    recover,  // open_after_rollback(): reset what may reuse keys, then open
};

// A file that passed every check, its opening transaction committed.
struct CheckedFile {
    Connection connection;
    RowCodec codec;
    DatabaseId id;
    LocalDevice device;
    Integrity integrity;
};

// Builds a new store at `path` (through a staging file renamed into place).
void create_file(const std::string& path, const LocalDevice& device, const SqliteStoreOptions& options);

// Opens, checks and migrates the file at `path`; any refusal is
// Error(storage) and leaves the file as it was.
CheckedFile open_file(const std::string& path, const SqliteStoreOptions& options, BehindGuard behind);

}  // namespace cliquet::store
