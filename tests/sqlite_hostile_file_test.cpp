// Hostile database files: a file crafted by someone who can write it, holding
// schema objects of their own (CHECK constraints, triggers, views, generated
// columns, a virtual table), an odd page size or schema version. Opening one
// must refuse it before anything it holds runs, quickly and in bounded memory,
// and leave it as it was.
//
// "Runs" is observed, not timed: every hostile object calls probe(), an SQL
// function registered on every connection this process opens (the store's
// own included), which counts its calls. It is declared innocuous, so that
// TRUSTED_SCHEMA=0 alone would not stop it: only checking the schema before
// anything evaluates it does. The objects also build a 60 MB string when they
// run, which SQLite's own memory high-water mark would show.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <atomic>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"
#include "sqlite_store_fixtures.hpp"

using namespace cliquet;
using namespace cliquet::testing::sqlite;

namespace {

std::atomic<int> probe_calls{0};

void probe(sqlite3_context* context, int, sqlite3_value**) {
    ++probe_calls;
    sqlite3_result_int(context, 1);
}

int register_probe(sqlite3* db, const char**, const sqlite3_api_routines*) {
    return sqlite3_create_function_v2(db, "probe", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                      probe, nullptr, nullptr, nullptr);
}

// probe() on every connection opened while it lives.
class ProbeOnEveryConnection {
public:
    ProbeOnEveryConnection() { REQUIRE(sqlite3_auto_extension(entry()) == SQLITE_OK); }
    ~ProbeOnEveryConnection() { sqlite3_cancel_auto_extension(entry()); }
    ProbeOnEveryConnection(const ProbeOnEveryConnection&) = delete;
    ProbeOnEveryConnection& operator=(const ProbeOnEveryConnection&) = delete;

private:
    static void (*entry())() { return reinterpret_cast<void (*)()>(register_probe); }
};

// What a hostile object evaluates: probe(), and a 20 MB blob turned into a
// 40 MB hex string (60 MB at once) to show in the memory high-water mark.
constexpr const char* kHostileExpression = "(probe() AND length(hex(zeroblob(20000000))) > 0)";

// Far above what opening a small store takes (a 2 MB page cache, the
// schema, a few statements), far below one evaluation of the expression.
constexpr sqlite3_int64 kMemoryBound = 8 << 20;

struct Refusal {
    std::string message;
    int probe_calls = 0;
    sqlite3_int64 peak_memory = 0;
};

// Opens `path`, which must be refused; reports what the attempt cost and
// checks that the file was left as it was.
Refusal open_hostile(const std::string& path) {
    const Bytes before = read_file(path);
    probe_calls = 0;
    (void)sqlite3_memory_highwater(1);
    Refusal refusal;
    try {
        (void)SqliteStore::open(path);
        FAIL("a hostile file was opened");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::storage);
        refusal.message = e.what();
    }
    refusal.peak_memory = sqlite3_memory_highwater(1);
    refusal.probe_calls = probe_calls;
    CHECK(read_file(path) == before);
    return refusal;
}

// What the same file costs a connection that trusts it: the objects run.
// Shows that each file is armed, so that a refusal that runs nothing means
// something.
int probe_calls_of(const std::string& path, const std::string& sql) {
    const std::string copy = path + ".control";
    write_file(copy, read_file(path));
    probe_calls = 0;
    tamper(copy, sql);
    std::filesystem::remove(copy);
    return probe_calls;
}

void require_refused_before_running(const std::string& path, const std::string& arming_sql,
                                    const std::string& expected_message) {
    const Refusal refusal = open_hostile(path);
    INFO(refusal.message);
    CHECK_THAT(refusal.message, Catch::Contains(expected_message));
    CHECK(refusal.probe_calls == 0);
    CHECK(refusal.peak_memory < kMemoryBound);
    CHECK(probe_calls_of(path, arming_sql) > 0);
}

// A genuine store with a dozen pre-keys, closed: the base of every hostile file.
void make_store(const std::string& path) {
    auto bob = SqliteStore::create(path, bob_device());
    for (PreKeyId id = 1; id <= 12; ++id) bob->pre_keys().store_pre_key(PreKeyRecord::generate(id));
}

// Replaces the definition of cliquet's table `table` with `definition`,
// rows kept: what an attacker does to give an existing table constraints.
std::string redefine(const std::string& table, const std::string& definition) {
    return "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = '" + definition + "' WHERE name = '" + table +
           "'; PRAGMA writable_schema = OFF;";
}

const std::string kHostilePreKeys = std::string("CREATE TABLE pre_keys (id INTEGER PRIMARY KEY, record BLOB NOT NULL ") +
                                    "CHECK " + kHostileExpression + ") STRICT";

}  // namespace

TEST_CASE("hostile database files are refused before anything in them runs", "[sqlite][hostile]") {
    ProbeOnEveryConnection probe_registered;
    TempDir dir;
    const std::string path = dir.file("hostile.db");
    make_store(path);

    SECTION("CHECK constraints on cliquet's own table, evaluated row by row by quick_check") {
        tamper(path, redefine("pre_keys", kHostilePreKeys));
        require_refused_before_running(path, "PRAGMA quick_check", "hostile schema object: table pre_keys");
    }
    SECTION("a table of its own with CHECK constraints") {
        tamper(path, std::string("CREATE TABLE extra (x INTEGER CHECK ") + kHostileExpression +
                         "); PRAGMA ignore_check_constraints = ON; INSERT INTO extra VALUES (1), (2), (3);");
        require_refused_before_running(path, "PRAGMA quick_check", "hostile schema object: the file defines table extra");
    }
    SECTION("a trigger on the table every commit writes") {
        tamper(path, std::string("CREATE TRIGGER extra AFTER INSERT ON pre_keys BEGIN SELECT ") + kHostileExpression +
                         "; END;");
        require_refused_before_running(path, "INSERT INTO pre_keys VALUES (99, x'00')",
                                       "hostile schema object: the file defines trigger extra on pre_keys");
    }
    SECTION("a view") {
        tamper(path, std::string("CREATE VIEW extra AS SELECT ") + kHostileExpression + " AS x;");
        require_refused_before_running(path, "SELECT * FROM extra",
                                       "hostile schema object: the file defines view extra");
    }
    SECTION("a generated column on cliquet's own table") {
        tamper(path, redefine("pre_keys", std::string("CREATE TABLE pre_keys (id INTEGER PRIMARY KEY, record BLOB NOT ") +
                                              "NULL, extra INTEGER GENERATED ALWAYS AS " + kHostileExpression +
                                              " VIRTUAL CHECK (extra)) STRICT"));
        require_refused_before_running(path, "PRAGMA quick_check", "hostile schema object: table pre_keys");
    }
    SECTION("a partial index") {
        tamper(path, "CREATE INDEX extra ON pre_keys (id) WHERE probe()");
        require_refused_before_running(path, "INSERT INTO pre_keys VALUES (99, x'00')",
                                       "hostile schema object: the file defines index extra on pre_keys");
    }
    SECTION("a virtual table") {
        tamper(path, "CREATE VIRTUAL TABLE extra USING fts5 (x)");
        const Refusal refusal = open_hostile(path);
        CHECK_THAT(refusal.message, Catch::Contains("hostile schema object"));
        CHECK(refusal.peak_memory < kMemoryBound);
    }
    SECTION("a 64 KiB page size, with CHECK constraints") {
        tamper(path, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 65536; VACUUM; " +
                         redefine("pre_keys", kHostilePreKeys));
        REQUIRE(query_integer(path, "PRAGMA page_size") == 65536);
        require_refused_before_running(path, "PRAGMA quick_check", "hostile schema object: table pre_keys");
    }
}

TEST_CASE("a hostile schema version is refused before the schema is evaluated", "[sqlite][hostile]") {
    ProbeOnEveryConnection probe_registered;
    TempDir dir;
    const std::string path = dir.file("hostile.db");
    make_store(path);
    const auto version = GENERATE(as<std::int64_t>{}, 2147483647, 0, -1);
    tamper(path, redefine("pre_keys", kHostilePreKeys) + "PRAGMA user_version = " + std::to_string(version));
    require_refused_before_running(path, "PRAGMA quick_check", version > 0 ? "newer" : "not a cliquet database");
}

TEST_CASE("a file header with an impossible page size is refused in bounded memory", "[sqlite][hostile]") {
    TempDir dir;
    const std::string path = dir.file("hostile.db");
    make_store(path);
    Bytes file = read_file(path);
    REQUIRE(file.size() > 100);
    // Bytes 16-17 hold the page size: 0xffff is not a power of two.
    file[16] = 0xff;
    file[17] = 0xff;
    write_file(path, file);
    const Refusal refusal = open_hostile(path);
    CHECK_THAT(refusal.message, Catch::Contains("not a database"));
    CHECK(refusal.peak_memory < kMemoryBound);
}

TEST_CASE("a file that needs migrating is checked before the migration writes to it", "[sqlite][hostile]") {
    ProbeOnEveryConnection probe_registered;
    TempDir dir;
    const std::string path = dir.file("v1.db");
    write_file(path, read_file(kept_file("v1_bob.db")));
    // The migrations from version 1 re-seal every row, the local device's
    // included, and write the integrity record into meta: triggers there
    // would fire inside them.
    tamper(path, std::string("CREATE TRIGGER on_device AFTER UPDATE ON local_device BEGIN SELECT ") +
                     kHostileExpression + "; END; CREATE TRIGGER on_meta AFTER INSERT ON meta BEGIN SELECT " +
                     kHostileExpression + "; END;");
    const Bytes before = read_file(path);
    probe_calls = 0;
    (void)sqlite3_memory_highwater(1);
    CHECK_THAT(refusal_of(path, with_key(kept_bob_key())), Catch::Contains("hostile schema object: the file defines trigger"));
    CHECK(probe_calls == 0);
    CHECK(sqlite3_memory_highwater(1) < kMemoryBound);
    CHECK(read_file(path) == before);
    CHECK(query_integer(path, "PRAGMA user_version") == 1);
    CHECK(probe_calls_of(path, "INSERT INTO meta VALUES ('x', x'00')") > 0);
}
