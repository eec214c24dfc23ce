// SQLite's own allocations, which do not go through operator new: SQLite is
// given an allocator (SQLITE_CONFIG_MALLOC) whose n-th allocation fails, and
// n is swept over every allocation SQLite makes in each SqliteStore write
// path (sqlite_write_paths.hpp). Each failure must be Error(storage), or be
// one SQLite recovers from (the call then succeeds); a failed call leaves the
// file and its log byte for byte as before, and the same store then takes
// the write.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <iostream>
#include <optional>
#include <string>

#include "cliquet/sqlite_store.hpp"
#include "sqlite_write_paths.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;

namespace {

// SQLite's default allocator, wrapped; SQLite calls it from this thread only
// (each store's connection serialises its use).
sqlite3_mem_methods g_original{};
bool g_armed = false;
std::size_t g_count = 0;
std::size_t g_fail_at = 0;
bool g_reached = false;

bool fails_now() {
    if (!g_armed || ++g_count != g_fail_at) return false;
    g_reached = true;
    return true;
}
void* failing_malloc(int size) { return fails_now() ? nullptr : g_original.xMalloc(size); }
void* failing_realloc(void* p, int size) { return fails_now() ? nullptr : g_original.xRealloc(p, size); }
void plain_free(void* p) { g_original.xFree(p); }
int plain_size(void* p) { return g_original.xSize(p); }
int plain_roundup(int size) { return g_original.xRoundup(size); }
int plain_init(void* data) { return g_original.xInit(data); }
void plain_shutdown(void* data) { g_original.xShutdown(data); }

// Installs the failing allocator for its lifetime; SQLite is shut down and
// restarted around it, so no connection may be open.
class FailingSqliteMalloc {
public:
    FailingSqliteMalloc() {
        REQUIRE(sqlite3_shutdown() == SQLITE_OK);
        REQUIRE(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_original) == SQLITE_OK);
        sqlite3_mem_methods failing = g_original;
        failing.xMalloc = failing_malloc;
        failing.xRealloc = failing_realloc;
        failing.xFree = plain_free;
        failing.xSize = plain_size;
        failing.xRoundup = plain_roundup;
        failing.xInit = plain_init;
        failing.xShutdown = plain_shutdown;
        REQUIRE(sqlite3_config(SQLITE_CONFIG_MALLOC, &failing) == SQLITE_OK);
        REQUIRE(sqlite3_initialize() == SQLITE_OK);
    }
    ~FailingSqliteMalloc() {
        sqlite3_shutdown();
        sqlite3_config(SQLITE_CONFIG_MALLOC, &g_original);
        sqlite3_initialize();
    }
    FailingSqliteMalloc(const FailingSqliteMalloc&) = delete;
    FailingSqliteMalloc& operator=(const FailingSqliteMalloc&) = delete;

    void fail_at(std::size_t n) {
        g_count = 0;
        g_fail_at = n;
        g_reached = false;
        g_armed = true;
    }
    void heal() { g_armed = false; }
    bool reached() const { return g_reached; }
};

}  // namespace

TEST_CASE("an SQLite allocation failure anywhere in a SqliteStore write is storage, and changes nothing",
          "[alloc][sqlite]") {
    WritePathFixture fixture;
    FailingSqliteMalloc sqlite_malloc;
    for (const WritePath& path : fixture.write_paths()) {
        DYNAMIC_SECTION(path.name) {
            std::size_t failed = 0;
            std::size_t recovered = 0;
            std::size_t n = 1;
            for (;; ++n) {
                REQUIRE(n < 100'000);
                INFO("SQLite allocation " << n);
                fixture.restore();
                auto store = fixture.open();
                const Bytes before = read_file(fixture.path);
                const Bytes wal_before = read_file(fixture.path + "-wal");
                const std::uint64_t guard_before = fixture.guard->value;
                std::optional<Error> error;
                sqlite_malloc.fail_at(n);
                try {
                    path.write(*store);
                } catch (const Error& e) {
                    error = e;
                }
                sqlite_malloc.heal();
                if (!sqlite_malloc.reached()) {
                    REQUIRE_FALSE(error);
                    break;
                }
                if (error) {
                    ++failed;
                    CHECK(error->code() == ErrorCode::storage);
                    CHECK(read_file(fixture.path) == before);
                    CHECK(read_file(fixture.path + "-wal") == wal_before);
                    CHECK(fixture.guard->value == guard_before);
                    path.write(*store);
                } else {
                    ++recovered;
                }
                path.check(*store);
                store.reset();
                store = fixture.open();
                path.check(*store);
            }
            std::cout << "sqlite malloc sweep: " << path.name << ": " << n - 1 << " allocations, " << failed
                      << " failed the call, " << recovered << " recovered by SQLite\n";
            CHECK(failed > 0);
        }
    }
}
