#include "store/sqlite_database.hpp"

#include "cliquet/error.hpp"
#include "store/sqlite_schema.hpp"

namespace cliquet::store {

std::optional<KeptVersion> Database::version_before(Statement::Use& select, bool stepped, const ClearColumns& clear) {
    if (!integrity.authenticated() || !(stepped || select.step())) return std::nullopt;
    return KeptVersion(select.blob(0), clear);
}

void Database::write(FunctionRef<void()> writes) {
    // Once the writes have changed a row, even if they then fail, a row read
    // before may no longer be as it was read. (A write that found nothing to
    // change, such as an identity saved again unchanged, keeps what was read.)
    struct ForgetReads {
        Database& db;
        sqlite3_int64 changes_before = sqlite3_total_changes64(db.connection.handle());
        ~ForgetReads() {
            if (sqlite3_total_changes64(db.connection.handle()) != changes_before) db.forget_reads();
        }
    } forget{*this};
    if (transaction_depth > 0) {
        writes();
        return;
    }
    run_atomically(writes);
}

void Database::run_atomically(FunctionRef<void()> writes) {
    std::lock_guard<std::recursive_mutex> lock(mutex);
    const bool outermost = transaction_depth == 0;
    if (outermost) {
        Statement::Use(begin).run();
    } else {
        Statement::Use(savepoint).run();
        integrity.savepoint();
    }
    ++transaction_depth;
    try {
        writes();
    } catch (...) {
        --transaction_depth;
        if (outermost) {
            abandon_unit();
        } else {
            // Undo, then report what went wrong in `writes`. An undo that
            // fails too leaves nothing of this unit to keep, either way.
            try {
                Statement::Use(rollback_to_savepoint).run();
                Statement::Use(release_savepoint).run();
            } catch (const Error&) {
            }
            integrity.rollback_to_savepoint();
            integrity.release_savepoint();
            forget_reads();
        }
        throw;
    }
    --transaction_depth;
    if (!outermost) {
        Statement::Use(release_savepoint).run();
        integrity.release_savepoint();
        return;
    }
    commit_unit();
}

void Database::commit_unit() {
    const bool numbered = integrity.changed() && (integrity.authenticated() || guard);
    try {
        if (numbered) {
            const Bytes record = integrity.next_record();
            // The record is there from the first commit that wrote one on, and
            // a plain UPDATE costs SQLite less than the upsert.
            Statement::Use(update_state).bind(1, record).run();
            if (changes() == 0) Statement::Use(upsert_state).bind(1, record).run();
        }
        Statement::Use(commit).run();
    } catch (...) {
        // A commit that failed (disk full, I/O error) must not leave the
        // transaction open for the next caller's writes to join.
        abandon_unit();
        throw;
    }
    integrity.commit();
    if (numbered && guard) guard->record_commit(integrity.committed().commit);
}

void Database::abandon_unit() noexcept {
    // SQLite may have rolled back already after an I/O error.
    if (!sqlite3_get_autocommit(connection.handle())) {
        try {
            Statement::Use(rollback).run();
        } catch (const Error&) {
        }
    }
    integrity.rollback();
    forget_reads();
}

void write_state_record(Connection& connection, Integrity& integrity, bool for_guard) {
    if (!integrity.authenticated() && !for_guard) return;
    const Bytes record = integrity.next_record();
    Statement upsert(connection.handle(), kUpsertState);
    Statement::Use(upsert).bind(1, record).run();
}

}  // namespace cliquet::store
