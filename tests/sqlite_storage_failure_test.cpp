// Storage failures on every write path of SqliteStore (sqlite_write_paths.hpp):
// a full disk and I/O errors, injected by a VFS that wraps SQLite's own
// (sqlite_faulty_vfs.hpp) at each write, sync and truncation a call makes in
// turn, and a lock held by another process. Each failure must be
// Error(storage) and leave no half-written state: the file reopens with its
// rows as before (integrity record and rollback guard included). Once space
// returns the same store, or the reopened file, takes the write, and the
// conversation goes on with nothing lost and nothing replayed.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"
#include "sqlite_faulty_vfs.hpp"
#include "sqlite_test_support.hpp"
#include "sqlite_write_paths.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;

namespace {

// Far above the writes, syncs and truncations of any one store call.
constexpr std::size_t kMaxOperations = 1000;

// Every row of every table of a closed file, table by table.
std::string all_rows(const std::string& path) {
    std::string rows;
    const std::string tables =
        query_rows(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    std::size_t start = 0;
    while (start < tables.size()) {
        const std::size_t end = tables.find('\n', start);
        const std::string table = tables.substr(start, end - start);
        rows += "[" + table + "]\n" + query_rows(path, "SELECT * FROM " + table + " ORDER BY 1, 2");
        start = end + 1;
    }
    return rows;
}

// Makes `write`, failing from the n-th disk operation on; returns the error
// it threw, if any. Every failure must be Error(storage).
std::optional<Error> write_failing_from(FaultyVfs& vfs, std::size_t n, FaultyVfs::Fault fault, const WritePath& path,
                                        SqliteStore& store) {
    std::optional<Error> error;
    vfs.fail_from(n, fault);
    try {
        path.write(store);
    } catch (const Error& e) {
        error = e;
    }
    return error;
}

}  // namespace

TEST_CASE("a full disk or an I/O error in any SqliteStore write loses nothing and replays nothing",
          "[sqlite][storage_failure]") {
    const auto fault = GENERATE(FaultyVfs::Fault::disk_full, FaultyVfs::Fault::io_error);
    WritePathFixture fixture;
    const std::string kept_rows = all_rows(fixture.path);
    FaultyVfs vfs;
    for (const WritePath& path : fixture.write_paths()) {
        DYNAMIC_SECTION(path.name << (fault == FaultyVfs::Fault::disk_full ? ", disk full" : ", I/O error")) {
            std::size_t failures = 0;
            std::size_t absorbed = 0;  // the commit had landed: a checkpoint after it failed
            std::size_t n = 1;
            for (;; ++n) {
                REQUIRE(n < kMaxOperations);
                INFO("failing from disk operation " << n);

                // The same store goes on once space returns.
                fixture.restore();
                auto store = fixture.open();
                const std::uint64_t guard_before = fixture.guard->value;
                std::optional<Error> error = write_failing_from(vfs, n, fault, path, *store);
                vfs.heal();
                if (!vfs.reached()) {
                    REQUIRE_FALSE(error);
                    path.check(*store);
                    break;
                }
                if (error) {
                    ++failures;
                    CHECK(error->code() == ErrorCode::storage);
                    CHECK(fixture.guard->value == guard_before);
                    path.write(*store);
                } else {
                    ++absorbed;
                }
                path.check(*store);
                store.reset();
                store = fixture.open();
                path.check(*store);
                store.reset();

                // The process stops at the failure, before space returns: the
                // file reopens, as it was before the call if the call failed.
                fixture.restore();
                store = fixture.open();
                error = write_failing_from(vfs, n, fault, path, *store);
                store.reset();
                vfs.heal();
                if (error) {
                    CHECK(error->code() == ErrorCode::storage);
                    CHECK(all_rows(fixture.path) == kept_rows);
                }
                store = fixture.open();
                if (error) path.write(*store);
                path.check(*store);
            }
            std::cout << "storage sweep: " << path.name
                      << (fault == FaultyVfs::Fault::disk_full ? ", disk full: " : ", I/O error: ") << n - 1
                      << " disk operations, " << failures << " failed the call, " << absorbed
                      << " after its commit\n";
            // Some disk operation of every write failed it.
            CHECK(failures > 0);
        }
    }
}

TEST_CASE("a database locked by another process is refused as storage, and opens once free",
          "[sqlite][storage_failure]") {
    WritePathFixture fixture;
    const WritePath decrypt = fixture.write_paths().front();
    int to_child[2];
    int from_child[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(from_child) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Another process holds a write transaction open on the file.
        sqlite3* db = nullptr;
        char ready = 'n';
        if (sqlite3_open(fixture.path.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db, "BEGIN IMMEDIATE; SELECT count(*) FROM meta;", nullptr, nullptr, nullptr) == SQLITE_OK)
            ready = 'y';
        (void)!::write(from_child[1], &ready, 1);
        char go = 0;
        (void)!::read(to_child[0], &go, 1);
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        ::_exit(0);
    }
    char ready = 0;
    REQUIRE(::read(from_child[0], &ready, 1) == 1);
    CHECK(ready == 'y');
    const Bytes before = read_file(fixture.path);
    std::string message;
    try {
        (void)fixture.open();
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::storage);
        message = e.what();
    }
    CHECK_THAT(message, Catch::Contains("in use"));
    CHECK(read_file(fixture.path) == before);
    const char go = 'g';
    REQUIRE(::write(to_child[1], &go, 1) == 1);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    ::close(to_child[0]);
    ::close(to_child[1]);
    ::close(from_child[0]);
    ::close(from_child[1]);

    // Free again: it opens, takes the waiting message, and holds the file:
    // another process can no longer write it.
    auto store = fixture.open();
    decrypt.write(*store);
    decrypt.check(*store);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(fixture.path.c_str(), &other) == SQLITE_OK);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_BUSY);
    sqlite3_close(other);
    store.reset();
    store = fixture.open();
    decrypt.check(*store);
}
