// The state one SqliteStore shares among its store interfaces: the
// connection, its prepared statements, the row codec, the integrity state,
// the mutex that serialises every use of them, and the transactions that
// commit their writes.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "cliquet/function_ref.hpp"
#include "cliquet/sqlite_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/sqlite_integrity.hpp"
#include "store/sqlite_sealing.hpp"

namespace cliquet::store {

// What was read last of one address's row in a table, so that the write
// that follows a read (a decrypt loads, computes, then stores) need not read
// the row again. The Database forgets it whenever a row changes or a unit is
// undone, so while held it is the row as it is in the file.
template <typename Value>
class RememberedRead {
public:
    void remember(const ProtocolAddress& address, const Value& value) {
        name_.assign(address.name);  // reuses the string's buffer
        device_id_ = address.device_id;
        value_ = value;
    }
    const Value* find(const ProtocolAddress& address) const noexcept {
        if (!value_ || device_id_ != address.device_id || name_ != address.name) return nullptr;
        return &*value_;
    }
    void forget() noexcept { value_.reset(); }

private:
    std::string name_;
    std::uint32_t device_id_ = 0;
    std::optional<Value> value_;
};

// A trusted identity as read: the key, and the row's version when the state
// is authenticated.
struct IdentityRead {
    IdentityKey key;
    std::optional<KeptVersion> version;
};

struct Database {
    Database(Connection opened, RowCodec row_codec, const DatabaseId& id, Integrity state,
             std::shared_ptr<RollbackGuard> rollback_guard);

    // Runs `writes` as one transaction (BEGIN IMMEDIATE ... COMMIT), or as a
    // savepoint inside the one under way, undone alone if it throws. The
    // integrity record is written in the transaction, and the rollback
    // guard told once it has committed.
    void run_atomically(FunctionRef<void()> writes);
    // Runs the writes of one store call: inside the transaction under way,
    // if any (which then commits them with the rest), or as a transaction of
    // their own.
    void write(FunctionRef<void()> writes);

    // The version of a tracked row for its integrity term, read before the
    // row is replaced; nothing when the row is absent or when nothing is
    // authenticated (so no cost without a storage key). `select` has its
    // key bound (or, `stepped`, is on the row already) and returns the
    // stored value first.
    std::optional<KeptVersion> version_before(Statement::Use& select, bool stepped = false,
                                              const ClearColumns& clear = {});

    // Where a row of `table` lives; the caller adds the key columns.
    RowPlace place(std::string_view table) const { return RowPlace(database_id, SqliteStore::kSchemaVersion, table); }
    // Rows the last statement changed.
    int changes() const noexcept { return sqlite3_changes(connection.handle()); }

    Connection connection;
    RowCodec codec;
    DatabaseId database_id;
    Integrity integrity;
    std::shared_ptr<RollbackGuard> guard;

    // Recursive: a run_atomically unit holds it while its writes lock it
    // again, call by call.
    std::recursive_mutex mutex;
    // How many run_atomically calls are under way on the thread that holds
    // the mutex: 0 outside any transaction.
    int transaction_depth = 0;

    // The session row read last (its version, kept only with a storage key)
    // and the identity row read last; forgotten by every change.
    RememberedRead<KeptVersion> session_read;
    RememberedRead<IdentityRead> identity_read;

    Statement begin;
    Statement commit;
    Statement rollback;
    Statement savepoint;
    Statement release_savepoint;
    Statement rollback_to_savepoint;
    Statement update_state;
    Statement upsert_state;

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
    Statement update_session;
    Statement insert_session;
    Statement list_session_devices;
    Statement delete_session;
    Statement delete_sessions_of;

    Statement select_sender_key;
    Statement upsert_sender_key;
    Statement list_sender_keys;
    Statement delete_sender_key;

    Statement select_pre_key_metadata;
    Statement upsert_pre_key_metadata;

    // The stored value's first 24 bytes (a seal's nonce) of the row a write
    // is about to replace.
    Statement select_session_version;
    Statement select_sender_key_version;

private:
    void commit_unit();
    void abandon_unit() noexcept;
    void forget_reads() noexcept {
        session_read.forget();
        identity_read.forget();
    }
};

// The statements that write the integrity record (meta 'state').
inline constexpr std::string_view kUpdateState = "UPDATE meta SET value = ?1 WHERE name = 'state'";
inline constexpr std::string_view kUpsertState =
    "INSERT INTO meta (name, value) VALUES ('state', ?1) ON CONFLICT (name) DO UPDATE SET value = excluded.value";

// Writes the integrity record of the pending state (numbered as the next
// commit) in the transaction under way, if there is anything to record:
// always with a storage key, and without one only for a rollback guard.
void write_state_record(Connection& connection, Integrity& integrity, bool for_guard);

}  // namespace cliquet::store
