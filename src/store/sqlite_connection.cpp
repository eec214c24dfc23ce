#include "store/sqlite_connection.hpp"

#include <array>
#include <climits>
#include <utility>

#include "cliquet/error.hpp"

namespace cliquet::store {

void fail(sqlite3* db, int result, std::string_view context) {
    const int primary = result & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        throw Error(ErrorCode::storage, "database file is corrupt, truncated or not a database (" +
                                            std::string(context) + ")");
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw Error(ErrorCode::storage, "database is in use by another connection (" + std::string(context) + ")");
    const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(result);
    throw Error(ErrorCode::storage, std::string(context) + ": " + detail);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    const int result = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                          &raw, nullptr);
    handle_.reset(raw);
    if (result != SQLITE_OK) fail(db, result, "preparing a statement");
}

Statement::Use::~Use() {
    sqlite3_reset(statement_.handle_.get());
    sqlite3_clear_bindings(statement_.handle_.get());
}

Statement::Use& Statement::Use::bind(int index, std::int64_t value) {
    const int result = sqlite3_bind_int64(statement_.handle_.get(), index, value);
    if (result != SQLITE_OK) fail(statement_.db_, result, "binding an integer");
    return *this;
}

Statement::Use& Statement::Use::bind(int index, std::string_view text) {
    if (text.size() > INT_MAX) throw Error(ErrorCode::storage, "text too long to store");
    const int result = sqlite3_bind_text(statement_.handle_.get(), index, text.data(), static_cast<int>(text.size()),
                                         SQLITE_STATIC);
    if (result != SQLITE_OK) fail(statement_.db_, result, "binding text");
    return *this;
}

Statement::Use& Statement::Use::bind(int index, ByteView blob) {
    if (blob.size() > INT_MAX) throw Error(ErrorCode::storage, "record too large to store");
    // A zero-length blob still has to be a blob, not NULL: give SQLite a
    // valid pointer.
    static constexpr std::uint8_t empty = 0;
    const std::uint8_t* data = blob.empty() ? &empty : blob.data();
    const int result =
        sqlite3_bind_blob(statement_.handle_.get(), index, data, static_cast<int>(blob.size()), SQLITE_STATIC);
    if (result != SQLITE_OK) fail(statement_.db_, result, "binding a blob");
    return *this;
}

bool Statement::Use::step() {
    const int result = sqlite3_step(statement_.handle_.get());
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    fail(statement_.db_, result, "running a statement");
}

void Statement::Use::run() {
    while (step()) {
    }
}

std::int64_t Statement::Use::integer(int column) const {
    sqlite3_stmt* handle = statement_.handle_.get();
    if (sqlite3_column_type(handle, column) != SQLITE_INTEGER)
        throw Error(ErrorCode::storage, "database file is corrupt: a column that holds integers holds something else");
    return sqlite3_column_int64(handle, column);
}

ByteView Statement::Use::blob(int column) const {
    sqlite3_stmt* handle = statement_.handle_.get();
    if (sqlite3_column_type(handle, column) != SQLITE_BLOB)
        throw Error(ErrorCode::storage, "database file is corrupt: a column that holds bytes holds something else");
    const void* data = sqlite3_column_blob(handle, column);
    const int size = sqlite3_column_bytes(handle, column);
    if (size <= 0 || data == nullptr) return {};
    return {static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size)};
}

std::string Statement::Use::text(int column) const {
    sqlite3_stmt* handle = statement_.handle_.get();
    const unsigned char* text = sqlite3_column_text(handle, column);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(handle, column))};
}

int Statement::Use::type(int column) const { return sqlite3_column_type(statement_.handle_.get(), column); }

namespace {

// A database file is untrusted input, read by a connection that must run
// nothing the file holds: no trigger or view (cliquet's schema has none), no
// function with side effects called from a schema object, no write to the
// schema itself. Tight limits bound what parsing a hostile schema can cost;
// cliquet's own statements stay far below them.
void harden(sqlite3* db) {
    static constexpr std::array<std::pair<int, int>, 7> kSettings{{
        {SQLITE_DBCONFIG_DEFENSIVE, 1},
        {SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0},
        {SQLITE_DBCONFIG_ENABLE_TRIGGER, 0},
        {SQLITE_DBCONFIG_ENABLE_VIEW, 0},
        {SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0},
        {SQLITE_DBCONFIG_DQS_DDL, 0},
        {SQLITE_DBCONFIG_DQS_DML, 0},
    }};
    for (const auto& [option, value] : kSettings)
        if (const int result = sqlite3_db_config(db, option, value, nullptr); result != SQLITE_OK)
            fail(db, result, "hardening the connection");
    static constexpr std::array<std::pair<int, int>, 8> kLimits{{
        {SQLITE_LIMIT_SQL_LENGTH, 16 * 1024},
        {SQLITE_LIMIT_COLUMN, 32},
        {SQLITE_LIMIT_EXPR_DEPTH, 32},
        {SQLITE_LIMIT_COMPOUND_SELECT, 4},
        {SQLITE_LIMIT_FUNCTION_ARG, 8},
        {SQLITE_LIMIT_ATTACHED, 0},
        {SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 64},
        {SQLITE_LIMIT_TRIGGER_DEPTH, 1},
    }};
    for (const auto& [limit, value] : kLimits) sqlite3_limit(db, limit, value);
}

}  // namespace

Connection::Connection(const std::string& path, bool create) {
    // The connection is private to one SqliteStore, which serialises its use
    // with its own mutex; SQLite's per-call mutex would only add cost.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                      (create ? SQLITE_OPEN_CREATE : 0);
    sqlite3* raw = nullptr;
    const int result = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    db_.reset(raw);
    if (result != SQLITE_OK) {
        const std::string detail = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(result);
        throw Error(ErrorCode::storage, "cannot open database " + path + ": " + detail);
    }
    harden(raw);
}

void Connection::exec(std::string_view sql, std::string_view context) {
    const std::string statements(sql);
    const int result = sqlite3_exec(db_.get(), statements.c_str(), nullptr, nullptr, nullptr);
    if (result != SQLITE_OK) fail(db_.get(), result, context);
}

std::int64_t Connection::query_integer(std::string_view sql, std::string_view context) {
    Statement statement(db_.get(), sql);
    Statement::Use use(statement);
    if (!use.step()) throw Error(ErrorCode::storage, std::string(context) + ": no result");
    return use.integer(0);
}

std::string Connection::query_lines(std::string_view sql) {
    Statement statement(db_.get(), sql);
    Statement::Use use(statement);
    std::string lines;
    while (use.step()) {
        lines += use.text(0);
        lines += '\n';
    }
    return lines;
}

}  // namespace cliquet::store
