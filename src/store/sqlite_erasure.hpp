// Erasure on disk for SqliteStore: what a write deletes or replaces leaves
// every file SQLite keeps before the call that wrote returns.
#pragma once

#include "store/sqlite_connection.hpp"

namespace cliquet::store {

// From now on, every commit that wrote to the write-ahead log is followed by
// a checkpoint that copies the log into the database and truncates it to
// nothing; and one such checkpoint runs now, finishing any that a killed
// process left undone. Call once the connection is in WAL mode.
void erase_on_commit(Connection& connection);

}  // namespace cliquet::store
