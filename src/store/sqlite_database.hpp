// The state one SqliteStore shares among its store interfaces: the
// connection, its prepared statements, the row codec and the mutex that
// serialises every use of them.
#pragma once

#include <mutex>
#include <string_view>

#include "cliquet/sqlite_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/sqlite_sealing.hpp"

namespace cliquet::store {

struct Database {
    Database(Connection opened, RowCodec row_codec, const DatabaseId& id);

    // Where a row of `table` lives; the caller adds the key columns.
    RowPlace place(std::string_view table) const { return RowPlace(database_id, SqliteStore::kSchemaVersion, table); }
    // Rows the last statement changed.
    int changes() const noexcept { return sqlite3_changes(connection.handle()); }

    Connection connection;
    RowCodec codec;
    DatabaseId database_id;

    // Recursive: a run_atomically unit holds it while its writes lock it
    // again, call by call.
    std::recursive_mutex mutex;
    // How many run_atomically calls are under way on the thread that holds
    // the mutex: 0 outside any transaction.
    int transaction_depth = 0;

    Statement begin;
    Statement commit;
    Statement rollback;
    Statement savepoint;
    Statement release_savepoint;
    Statement rollback_to_savepoint;

    Statement select_identity;
    Statement upsert_identity;

    Statement select_pre_key;
    Statement insert_pre_key;
    Statement delete_pre_key;
    Statement list_pre_keys;

    Statement select_signed_pre_key;
    Statement insert_signed_pre_key;
    Statement delete_signed_pre_key;
    Statement list_signed_pre_keys;

    Statement select_kyber_pre_key;
    Statement insert_kyber_pre_key;
    Statement select_kyber_pre_key_kind;
    Statement delete_kyber_pre_key;
    Statement insert_kyber_base_key;
    Statement delete_kyber_base_keys;
    Statement list_kyber_pre_keys;

    Statement select_session;
    Statement upsert_session;
    Statement list_session_devices;
    Statement delete_session;
    Statement delete_sessions_of;

    Statement select_sender_key;
    Statement upsert_sender_key;
    Statement list_sender_keys;
    Statement delete_sender_key;

    Statement select_pre_key_metadata;
    Statement upsert_pre_key_metadata;
};

}  // namespace cliquet::store
