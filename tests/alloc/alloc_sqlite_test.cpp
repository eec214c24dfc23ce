// Allocation failures in SqliteStore's writes: every allocation of each
// write path (sqlite_write_paths.hpp), from the protocol's atomic units to
// single store calls, fails in turn. Each failure must be reported and leave
// the file byte for byte as it was, the store must take the same write next,
// and the file must then reopen (its integrity record and rollback guard in
// step) with the write in it.
#include <catch2/catch.hpp>

#include <string>

#include "alloc_sweep.hpp"
#include "cliquet/sqlite_store.hpp"
#include "failing_new.hpp"
#include "sqlite_write_paths.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::alloc;
using namespace cliquet::testing::sqlite;

TEST_CASE("an allocation failure anywhere in a SqliteStore write changes nothing", "[alloc][sqlite]") {
    WritePathFixture fixture;
    for (const WritePath& path : fixture.write_paths()) {
        DYNAMIC_SECTION(path.name) {
            sweep_allocations("SqliteStore " + path.name, [&](std::size_t n) {
                fixture.restore();
                auto store = fixture.open();
                const Bytes before = read_file(fixture.path);
                const Bytes wal_before = read_file(fixture.path + "-wal");
                const std::uint64_t guard_before = fixture.guard->value;
                const Outcome outcome = call_failing_at(n, [&] { path.write(*store); });
                if (outcome.failed()) {
                    CHECK(read_file(fixture.path) == before);
                    CHECK(read_file(fixture.path + "-wal") == wal_before);
                    CHECK(fixture.guard->value == guard_before);
                    path.write(*store);
                }
                path.check(*store);
                CHECK(fixture.guard->value > guard_before);
                store.reset();
                store = fixture.open();
                path.check(*store);
                return outcome;
            });
        }
    }
}
