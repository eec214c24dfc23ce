#include "store/sqlite_schema.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <variant>
#include <vector>

#include "cliquet/error.hpp"

namespace cliquet::store {
namespace {

// Schema version 1, as first released; frozen. Later versions are the steps
// below applied to it, in creation as in migration. Rows with large values
// (sessions, sender keys, Kyber pre-keys) keep SQLite's rowid layout, which
// stores big rows better; the small ones are clustered on their key. STRICT
// makes SQLite itself refuse a value of the wrong type.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE local_device (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    registration_id INTEGER NOT NULL,
    identity_key_pair BLOB NOT NULL
) STRICT;
CREATE TABLE identities (
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    identity_key BLOB NOT NULL,
    PRIMARY KEY (name, device_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE pre_keys (
    id INTEGER PRIMARY KEY,
    record BLOB NOT NULL
) STRICT;
CREATE TABLE signed_pre_keys (
    id INTEGER PRIMARY KEY,
    record BLOB NOT NULL
) STRICT;
CREATE TABLE kyber_pre_keys (
    id INTEGER PRIMARY KEY,
    record BLOB NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE sessions (
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (name, device_id)
) STRICT;
CREATE TABLE sender_keys (
    name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    distribution_id BLOB NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (name, device_id, distribution_id)
) STRICT;
)sql";

// Version 2: one-time and last-resort Kyber pre-keys, and the ids
// PreKeyManager hands out.
// - A Kyber pre-key knows its kind; the `used` flag goes, since a one-time
//   key is now removed when used. Version 1 kept every Kyber key after use,
//   as last-resort keys are kept, so the keys it holds stay last-resort.
// - A last-resort key remembers each (signed pre-key id, base key) it was
//   used with, to refuse a replayed pre-key message after its session is
//   gone. With a storage key, base_key holds a keyed hash of the base key.
// - The next ids to hand out, and the current signed and last-resort keys.
constexpr std::string_view kVersion2 = R"sql(
ALTER TABLE kyber_pre_keys ADD COLUMN last_resort INTEGER NOT NULL DEFAULT 1 CHECK (last_resort IN (0, 1));
ALTER TABLE kyber_pre_keys DROP COLUMN used;
CREATE TABLE kyber_base_keys_used (
    kyber_pre_key_id INTEGER NOT NULL,
    signed_pre_key_id INTEGER NOT NULL,
    base_key BLOB NOT NULL,
    PRIMARY KEY (kyber_pre_key_id, signed_pre_key_id, base_key)
) STRICT, WITHOUT ROWID;
CREATE TABLE pre_key_metadata (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    next_pre_key_id INTEGER NOT NULL,
    next_signed_pre_key_id INTEGER NOT NULL,
    next_kyber_pre_key_id INTEGER NOT NULL,
    current_signed_pre_key_id INTEGER,
    current_last_resort_kyber_pre_key_id INTEGER
) STRICT;
)sql";

// One step of the schema's history: turns version `from` into `from + 1`.
// `sql` changes the tables; `rewrite_rows`, if any, then changes what SQL
// cannot (values only C++ can compute). A step that moves sealed values to
// another table or key must re-seal them itself; the re-sealing that every
// step gets (below) covers rows that stay where they are.
struct Migration {
    std::int64_t from;
    std::string_view sql;
    void (*rewrite_rows)(const MigrationContext&) = nullptr;
};

// Version 3: the integrity of the state as a whole (store/sqlite_integrity.hpp).
// No table changes: the integrity record is a meta row, written after the
// steps (store/sqlite_opening.cpp), and the local device's clear columns
// join its place, which the re-sealing of this step applies.
constexpr std::string_view kVersion3 = "";

constexpr std::array kMigrations{
    Migration{1, kVersion2},
    Migration{2, kVersion3},
};
static_assert(kMigrations.size() == SqliteStore::kSchemaVersion - 1, "one migration per schema version after 1");

// A sealed column and the columns that make its place, in the order the
// store adds them to the RowPlace: its keys, then from schema version
// `bound_since` on, `bound` (clear columns bound to the sealed value). Only
// tables of the current schema.
struct SealedColumn {
    std::string_view table;
    std::string_view value;
    std::array<std::string_view, 3> keys;
    std::int64_t bound_since = 0;
    std::array<std::string_view, 3> bound{};
};
constexpr std::array kSealedColumns{
    SealedColumn{kLocalDeviceTable, "identity_key_pair", {"singleton"}, kIntegrityVersion,
                 {"name", "device_id", "registration_id"}},
    SealedColumn{kIdentitiesTable, "identity_key", {"name", "device_id"}},
    SealedColumn{kPreKeysTable, "record", {"id"}},
    SealedColumn{kSignedPreKeysTable, "record", {"id"}},
    SealedColumn{kKyberPreKeysTable, "record", {"id"}},
    SealedColumn{kSessionsTable, "record", {"name", "device_id"}},
    SealedColumn{kSenderKeysTable, "record", {"name", "device_id", "distribution_id"}},
};

// One entry of sqlite_schema: a table, an index, or anything else a file
// may hold (a trigger, a view).
struct SchemaObject {
    std::string type;
    std::string name;
    std::string table;
    std::string sql;
    bool operator==(const SchemaObject&) const = default;
};

// Every entry of sqlite_schema, in name order. Reading it parses the schema,
// which runs nothing: triggers and views are disabled on every connection,
// and the listing is read before any statement touches a table.
std::vector<SchemaObject> schema_of(Connection& connection) {
    Statement listing(connection.handle(), "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name, type");
    Statement::Use use(listing);
    std::vector<SchemaObject> objects;
    while (use.step()) objects.push_back({use.text(0), use.text(1), use.text(2), use.text(3)});
    return objects;
}

// Writes the schema of `version` into an empty database.
void build_schema(Connection& connection, std::int64_t version) {
    connection.exec(kVersion1, "creating the schema");
    for (const Migration& step : kMigrations)
        if (step.from < version) connection.exec(step.sql, "creating the schema");
}

// What sqlite_schema of a sound database of `version` must hold: taken from
// a fresh in-memory database built the same way, so it cannot drift from the
// SQL above.
const std::vector<SchemaObject>& expected_schema(std::int64_t version) {
    static const auto schemas = [] {
        std::array<std::vector<SchemaObject>, SqliteStore::kSchemaVersion> out;
        for (std::int64_t v = 1; v <= SqliteStore::kSchemaVersion; ++v) {
            Connection reference(":memory:", true);
            build_schema(reference, v);
            out[static_cast<std::size_t>(v - 1)] = schema_of(reference);
        }
        return out;
    }();
    return schemas[static_cast<std::size_t>(version - 1)];
}

std::string describe(const SchemaObject& object) {
    std::string text = object.type + " " + object.name;
    if (!object.table.empty() && object.table != object.name) text += " on " + object.table;
    return text;
}

// Refuses a schema that is not exactly that of `version`, naming the first
// object that differs: one cliquet does not define (a trigger, a view, a
// table with CHECK constraints or generated columns of its own) is a hostile
// object.
void check_listing(Connection& connection, std::int64_t version) {
    const std::vector<SchemaObject> found = schema_of(connection);
    const std::vector<SchemaObject>& expected = expected_schema(version);
    for (const SchemaObject& object : found) {
        if (std::find(expected.begin(), expected.end(), object) != expected.end()) continue;
        const bool same_name = std::any_of(expected.begin(), expected.end(), [&](const SchemaObject& ours) {
            return ours.type == object.type && ours.name == object.name;
        });
        throw Error(ErrorCode::storage,
                    same_name ? "hostile schema object: " + describe(object) + " is not defined as cliquet defines it"
                              : "hostile schema object: the file defines " + describe(object) +
                                    ", which cliquet's schema does not");
    }
    for (const SchemaObject& object : expected)
        if (std::find(found.begin(), found.end(), object) == found.end())
            throw Error(ErrorCode::storage, "not a cliquet database: its " + describe(object) +
                                                " of schema version " + std::to_string(version) + " is missing");
}

void write_version(Connection& connection, std::int64_t version) {
    connection.exec("PRAGMA user_version = " + std::to_string(version), "writing the schema version");
}

// A key column's value, of whichever type the schema gives it.
using KeyValue = std::variant<std::int64_t, std::string, Bytes>;

KeyValue read_key(const Statement::Use& row, int column) {
    switch (row.type(column)) {
        case SQLITE_INTEGER: return row.integer(column);
        case SQLITE_TEXT: return row.text(column);
        case SQLITE_BLOB: {
            const ByteView bytes = row.blob(column);
            return Bytes(bytes.begin(), bytes.end());
        }
        default: throw Error(ErrorCode::storage, "database file is corrupt: a key column holds no key");
    }
}

void add_key(RowPlace& place, const KeyValue& key) {
    std::visit([&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, Bytes>)
            place.key(ByteView(value));
        else if constexpr (std::is_same_v<T, std::string>)
            place.key(std::string_view(value));
        else
            place.key(value);
    }, key);
}

void bind_key(Statement::Use& use, int index, const KeyValue& key) {
    std::visit([&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, Bytes>)
            use.bind(index, ByteView(value));
        else if constexpr (std::is_same_v<T, std::string>)
            use.bind(index, std::string_view(value));
        else
            use.bind(index, value);
    }, key);
}

// Opens every value of `column` at its place under schema version `from`
// and seals it again at its place under `from + 1`. Keys are read first and
// each row rewritten alone, so no scan runs over rows being changed and only
// one value is in memory at a time.
void reseal(const MigrationContext& context, const SealedColumn& column, std::int64_t from) {
    std::string keys;
    std::string match;
    int key_count = 0;
    for (std::string_view key : column.keys) {
        if (key.empty()) break;
        ++key_count;
        keys += (keys.empty() ? "" : ", ") + std::string(key);
        match += (match.empty() ? "" : " AND ") + std::string(key) + " = ?" + std::to_string(key_count);
    }
    const std::string table(column.table);
    const std::string value(column.value);
    Connection& connection = context.connection;
    // A table a later version adds has nothing to re-seal yet.
    Statement exists(connection.handle(), "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    {
        Statement::Use use(exists);
        if (!use.bind(1, column.table).step()) return;
    }

    // The bound columns follow the keys in each listed row.
    std::string listed = keys;
    int bound_count = 0;
    for (std::string_view bound : column.bound) {
        if (bound.empty()) break;
        ++bound_count;
        listed += ", " + std::string(bound);
    }
    std::vector<std::vector<KeyValue>> rows;
    {
        Statement list(connection.handle(), "SELECT " + listed + " FROM " + table);
        Statement::Use use(list);
        while (use.step()) {
            std::vector<KeyValue>& row = rows.emplace_back();
            for (int i = 0; i < key_count + bound_count; ++i) row.push_back(read_key(use, i));
        }
    }
    Statement select(connection.handle(), "SELECT " + value + " FROM " + table + " WHERE " + match);
    const std::string update_sql = "UPDATE " + table + " SET " + value + " = ?" + std::to_string(key_count + 1) +
                                   " WHERE " + match;
    Statement update(connection.handle(), update_sql);
    for (const std::vector<KeyValue>& row : rows) {
        RowPlace old_place(context.database_id, from, column.table);
        RowPlace new_place(context.database_id, from + 1, column.table);
        for (std::size_t i = 0; i < row.size(); ++i) {
            const bool bound = i >= static_cast<std::size_t>(key_count);
            if (!bound || (column.bound_since != 0 && from >= column.bound_since)) add_key(old_place, row[i]);
            if (!bound || (column.bound_since != 0 && from + 1 >= column.bound_since)) add_key(new_place, row[i]);
        }
        SecretBytes plain;
        {
            Statement::Use use(select);
            for (int i = 0; i < key_count; ++i) bind_key(use, i + 1, row[static_cast<std::size_t>(i)]);
            if (!use.step()) throw Error(ErrorCode::storage, "a row vanished while migrating " + table);
            plain = context.codec.decode(use.blob(0), old_place);
        }
        const SecretBytes sealed = context.codec.encode(plain.span(), new_place);
        Statement::Use use(update);
        for (int i = 0; i < key_count; ++i) bind_key(use, i + 1, row[static_cast<std::size_t>(i)]);
        use.bind(key_count + 1, sealed.span()).run();
    }
}

}  // namespace

void lock_exclusively(Connection& connection) {
    // EXCLUSIVE locking: the lock taken by the first transaction is held
    // until the connection closes, so no other connection can advance the
    // same ratchets behind this one's back. With WAL it also means no
    // shared-memory index file. The lock dies with the process, so a killed
    // process never locks its successor out.
    connection.exec("PRAGMA locking_mode = EXCLUSIVE", "setting the locking mode");
    // Deleted pre-keys and replaced session states hold old keys: zero them
    // in the file rather than leave them in free pages (forward secrecy).
    connection.exec("PRAGMA secure_delete = ON", "enabling secure delete");
}

void create_schema(Connection& connection) {
    build_schema(connection, SqliteStore::kSchemaVersion);
    connection.exec("PRAGMA application_id = " + std::to_string(SqliteStore::kApplicationId),
                    "writing the application id");
    write_version(connection, SqliteStore::kSchemaVersion);
}

std::int64_t check_file(Connection& connection) {
    // The first read of the file: a file that is not SQLite fails here.
    const std::int64_t application_id = connection.query_integer("PRAGMA application_id", "reading the file header");
    if (application_id != SqliteStore::kApplicationId)
        throw Error(ErrorCode::storage, "not a cliquet database (application id " + std::to_string(application_id) + ")");
    const std::int64_t version = connection.query_integer("PRAGMA user_version", "reading the schema version");
    if (version > SqliteStore::kSchemaVersion)
        throw Error(ErrorCode::storage, "database schema version " + std::to_string(version) +
                                            " is newer than this build reads (" +
                                            std::to_string(SqliteStore::kSchemaVersion) + ")");
    if (version < 1) throw Error(ErrorCode::storage, "not a cliquet database (schema version " + std::to_string(version) + ")");
    // Then the schema, before anything evaluates a schema object: quick_check
    // evaluates CHECK constraints, and migrations write to tables, so a
    // file's own constraints or triggers would run there.
    check_listing(connection, version);
    // Damage anywhere refuses the file before any of it is trusted.
    const std::string check = connection.query_lines("PRAGMA quick_check");
    if (check != "ok\n")
        throw Error(ErrorCode::storage, "database file is corrupt: " + check.substr(0, check.find('\n')));
    return version;
}

void migrate(const MigrationContext& context, std::int64_t version) {
    for (const Migration& step : kMigrations) {
        if (step.from != version) continue;
        context.connection.exec(step.sql, "migrating the schema to version " + std::to_string(version + 1));
        if (step.rewrite_rows) step.rewrite_rows(context);
        if (context.codec.sealing())
            for (const SealedColumn& column : kSealedColumns) reseal(context, column, version);
        ++version;
        write_version(context.connection, version);
    }
    if (version != SqliteStore::kSchemaVersion)
        throw Error(ErrorCode::storage, "no migration from schema version " + std::to_string(version));
    check_listing(context.connection, version);
}

void configure(Connection& connection, Durability durability) {
    const std::string mode = connection.query_lines("PRAGMA journal_mode = WAL");
    if (mode != "wal\n") throw Error(ErrorCode::storage, "the database cannot use write-ahead logging");
    connection.exec(durability == Durability::power_loss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                    "setting durability");
    // After a checkpoint the log is written again from its start, over the
    // frames it held; only a log longer than this is cut back. SQLite
    // checkpoints every 1000 pages, about 4 MiB, so under Erasure::deferred
    // the log is reused in place instead of cut to a smaller size and grown
    // again, which made the file system allocate a block for each page a
    // commit wrote. (Erasure::on_commit truncates the log to nothing anyway.)
    connection.exec("PRAGMA journal_size_limit = 8388608", "limiting the log size");
}

}  // namespace cliquet::store
