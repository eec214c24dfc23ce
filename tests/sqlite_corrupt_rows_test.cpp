// Rows that only a file written by another program could hold, read by a
// store that opened the file: a distribution id of the wrong size, a sealed
// row too short to hold its nonce and tag. Each read is Error(storage),
// never a wrong answer or a crash. And deleting a sender key the store does
// not hold changes nothing.
#include <catch2/catch.hpp>

#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"
#include "sqlite_store_fixtures.hpp"

using namespace cliquet;
using namespace cliquet::testing::sqlite;
using cliquet::testing::error_of;

namespace {

constexpr DistributionId kGroup = {0xd1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
const ProtocolAddress kAlice{"alice", 1};

std::string storage_message(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::storage);
        return e.what();
    }
    FAIL("no Error thrown");
    return {};
}

}  // namespace

TEST_CASE("a stored distribution id that is not 16 bytes is storage, not a name", "[sqlite][corrupt]") {
    TempDir dir;
    const std::string path = dir.file("bob.db");
    SqliteStore::create(path, bob_device())->sender_keys().store_sender_key(kAlice, kGroup, Bytes{1, 2, 3});
    tamper(path, "UPDATE sender_keys SET distribution_id = X'0102'");
    const auto bob = SqliteStore::open(path);
    CHECK_THAT(storage_message([&] { (void)bob->sender_keys().sender_key_names(); }),
               Catch::Contains("distribution id is not 16 bytes"));
}

TEST_CASE("a sealed row too short for its nonce and tag is storage", "[sqlite][corrupt]") {
    // A version-1 file, which has no integrity record yet: its migration
    // opens every sealed row to seal it again, and finds this one short. (In
    // a current file, the integrity record refuses any edited row first.)
    TempDir dir;
    const std::string path = dir.file("v1.db");
    write_file(path, read_file(kept_file("v1_bob.db")));
    tamper(path, "UPDATE pre_keys SET record = X'0102' WHERE id = (SELECT min(id) FROM pre_keys)");
    CHECK_THAT(refusal_of(path, with_key(kept_bob_key())), Catch::Contains("a sealed row is too short"));
    CHECK(query_integer(path, "PRAGMA user_version") == 1);
}

TEST_CASE("deleting a sender key the store does not hold changes nothing", "[sqlite][corrupt]") {
    TempDir dir;
    const std::string path = dir.file("bob.db");
    SqliteStore::create(path, bob_device())->sender_keys().store_sender_key(kAlice, kGroup, Bytes{1, 2, 3});
    const std::string before = query_rows(path, "SELECT * FROM sender_keys");
    {
        const auto bob = SqliteStore::open(path);
        bob->sender_keys().delete_sender_key(ProtocolAddress{"carol", 1}, kGroup);
        DistributionId other = kGroup;
        other[0] ^= 1;
        bob->sender_keys().delete_sender_key(kAlice, other);
        CHECK(bob->sender_keys().sender_key_names().size() == 1);
    }
    CHECK(query_rows(path, "SELECT * FROM sender_keys") == before);
    CHECK(SqliteStore::open(path)->sender_keys().load_sender_key(kAlice, kGroup));
}
