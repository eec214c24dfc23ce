#include "store/sqlite_erasure.hpp"

namespace cliquet::store {
namespace {

// Copies the whole log into the database and truncates the log to nothing.
// With locking_mode EXCLUSIVE no other connection can hold it back.
int checkpoint(sqlite3* db, const char* schema) {
    return sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

// Why this erases: secure_delete zeroes deleted and replaced rows in the
// pages a transaction writes, and WAL mode appends those pages to the log.
// The older images of the same pages, which still hold the old keys, are the
// database file's (the checkpoint overwrites them with the new ones) and the
// log's earlier frames (the truncation removes them).
int checkpoint_after_commit(void*, sqlite3* db, const char* schema, int /*pages in the log*/) {
    // The commit stands whatever happens here. A checkpoint that fails (an
    // I/O error, a full disk) leaves the log as it was, and the next commit's
    // checkpoint, or the next opening, takes it all again.
    (void)checkpoint(db, schema);
    return SQLITE_OK;
}

}  // namespace

void erase_on_commit(Connection& connection) {
    // Replaces SQLite's own hook, which checkpoints only every 1000 pages.
    sqlite3_wal_hook(connection.handle(), checkpoint_after_commit, nullptr);
    // A process killed between a commit and its checkpoint left the log
    // full and the database holding the pages the commit replaced. (Through
    // the C function: after the opening checks' PRAGMA quick_check, SQLite
    // 3.40 refuses the PRAGMA form on this connection with SQLITE_LOCKED.)
    const int result = checkpoint(connection.handle(), nullptr);
    if (result != SQLITE_OK) fail(connection.handle(), result, "finishing an interrupted checkpoint");
}

}  // namespace cliquet::store
