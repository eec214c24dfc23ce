// RAII for SQLite handles: one connection, prepared statements, and the
// translation of every SQLite failure into Error(storage).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cliquet/bytes.hpp"

namespace cliquet::store {

struct DatabaseClose {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementFinalize {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

// Throws Error(storage) naming `context` and SQLite's explanation. Corrupt
// and foreign files get one recognisable message, whatever step noticed.
[[noreturn]] void fail(sqlite3* db, int result, std::string_view context);

// A prepared statement, kept for the life of its connection and reused.
// Every use goes through a Statement::Use, which resets the statement and
// clears its bindings when it ends, whether or not it ran to completion.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);

    class Use {
    public:
        explicit Use(Statement& statement) noexcept : statement_(statement) {}
        ~Use();
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;

        Use& bind(int index, std::int64_t value);
        // Like blobs, text is read in place.
        Use& bind(int index, std::string_view text);
        // SQLite reads the bytes in place (no copy of a secret is left in
        // its heap), so they must stay alive until the Use ends.
        Use& bind(int index, ByteView blob);

        // Advances to the next row; false when there is none.
        bool step();
        // Runs a statement that returns no rows.
        void run();

        // Column readers refuse a value of another type: a row that does not
        // hold what the schema says is a damaged database.
        std::int64_t integer(int column) const;
        // A view into SQLite's buffer, valid until the next step or reset.
        ByteView blob(int column) const;
        // Any value as text; NULL reads as empty. For schema listings.
        std::string text(int column) const;
        // SQLITE_INTEGER, SQLITE_TEXT, SQLITE_BLOB, SQLITE_FLOAT or SQLITE_NULL.
        int type(int column) const;
        bool is_null(int column) const { return type(column) == SQLITE_NULL; }

    private:
        Statement& statement_;
    };

private:
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, StatementFinalize> handle_;
};

class Connection {
public:
    // Opens (or, with `create`, creates) the file at `path`.
    Connection(const std::string& path, bool create);

    sqlite3* handle() const noexcept { return db_.get(); }
    // Runs one or more statements that return no rows.
    void exec(std::string_view sql, std::string_view context);
    // The single integer a statement such as a PRAGMA returns.
    std::int64_t query_integer(std::string_view sql, std::string_view context);
    // The first text column of every row of a statement, concatenated with
    // newlines; for checks that compare a whole listing at once.
    std::string query_lines(std::string_view sql);

private:
    std::unique_ptr<sqlite3, DatabaseClose> db_;
};

}  // namespace cliquet::store
