// SqliteStore files whose bookkeeping another program wrote wrong, each made
// with plain SQL on the closed file: an integrity record of the wrong size or
// layout (with and without a storage key), a database id missing or of the
// wrong size, a table of the schema missing, and ids outside 32 bits in
// columns kept in clear. Each is refused as `storage`, the file as it was,
// never read as valid state. Beside them, a store created at a bare file
// name, whose directory is the working one, and empty records.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/sqlite_store.hpp"
#include "sqlite_store_fixtures.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;

namespace {

// Bob's store at `path`, sealed or not, holding a session with Alice's
// device 7 (and her identity key). Without a storage key, a store writes an
// integrity record (its commit number alone) only for a rollback guard.
struct Stored {
    TempDir dir;
    std::string path = dir.file("bob.db");
    SqliteStoreOptions options;

    explicit Stored(bool sealed, bool guarded = false) {
        if (sealed) options = with_key(random_storage_key());
        if (guarded) options.rollback_guard = std::make_shared<CounterGuard>();
        const LocalDevice bob = bob_device();
        auto store = SqliteStore::create(path, bob, options);
        Device alice{"alice", 7};
        alice.address.device_id = 7;
        process_pre_key_bundle(*alice.store, bob.address, publish_bundle(*store, 1, 1, 1, 1));
        const CiphertextMessage hello =
            SessionCipher(*alice.store, alice.address, bob.address).encrypt(as_bytes("hello"));
        (void)SessionCipher(*store, bob.address, alice.address).decrypt(hello.type, hello.bytes);
        REQUIRE(store->sessions().session_device_ids("alice") == std::vector<std::uint32_t>{7});
    }

    Bytes integrity_record() const { return query_blob(path, "SELECT value FROM meta WHERE name = 'state'"); }
    void put_integrity_record(const Bytes& record) {
        tamper(path, "UPDATE meta SET value = " + blob_literal(record) + " WHERE name = 'state'");
    }
    std::string refusal() const { return refusal_of(path, options); }
};

}  // namespace

TEST_CASE("an integrity record of the wrong size or layout is refused as malformed", "[sqlite][integrity][foreign]") {
    const bool sealed = GENERATE(false, true);
    Stored store(sealed, !sealed);
    const Bytes record = store.integrity_record();
    // Without a storage key: a format byte and a commit number. With one:
    // those, a table count, the tables' entries and a MAC.
    CHECK(record.size() == (sealed ? 1 + 8 + 1 + 40 * record[9] + 32 : 9u));
    SECTION("one byte short") {
        store.put_integrity_record(Bytes(record.begin(), record.end() - 1));
        CHECK_THAT(store.refusal(), Catch::Contains("integrity record is malformed"));
    }
    SECTION("one byte long") {
        Bytes longer = record;
        longer.push_back(0);
        store.put_integrity_record(longer);
        CHECK_THAT(store.refusal(), Catch::Contains("integrity record is malformed"));
    }
    SECTION("the other format's first byte") {
        Bytes other = record;
        other[0] ^= 1;
        store.put_integrity_record(other);
        CHECK_THAT(store.refusal(), Catch::Contains("integrity record is malformed"));
    }
    if (sealed) {
        SECTION("a count of tables that is not the store's") {
            Bytes miscounted = record;
            ++miscounted[9];
            store.put_integrity_record(miscounted);
            CHECK_THAT(store.refusal(), Catch::Contains("integrity record is malformed"));
        }
    }
}

TEST_CASE("a database id missing or of the wrong size is refused", "[sqlite][foreign]") {
    Stored store(GENERATE(false, true));
    SECTION("missing") { tamper(store.path, "DELETE FROM meta WHERE name = 'database_id'"); }
    SECTION("one byte short") {
        tamper(store.path, "UPDATE meta SET value = substr(value, 1, length(value) - 1) WHERE name = 'database_id'");
    }
    CHECK_THAT(store.refusal(), Catch::Contains("no database id"));
}

TEST_CASE("a file missing a table of its schema version is not a cliquet database", "[sqlite][foreign]") {
    Stored store(false);
    tamper(store.path, "DROP TABLE kyber_base_keys_used");
    CHECK_THAT(store.refusal(), Catch::Contains("kyber_base_keys_used"));
    CHECK_THAT(store.refusal(), Catch::Contains("is missing"));
}

TEST_CASE("an id outside 32 bits in a column kept in clear is storage, never a wrapped id", "[sqlite][foreign]") {
    // Without a storage key nothing binds the clear columns, so the value
    // reaches the reads, which must refuse it.
    Stored store(false);
    const std::string value = GENERATE(std::string("-1"), std::string("4294967296"));
    SECTION("a session's device id") {
        tamper(store.path, "UPDATE sessions SET device_id = " + value + " WHERE name = 'alice'");
        auto bob = SqliteStore::open(store.path, store.options);
        CHECK(error_of([&] { (void)bob->sessions().session_device_ids("alice"); }) == ErrorCode::storage);
        CHECK_THROWS_WITH((void)bob->sessions().session_device_ids("alice"), Catch::Contains("device id out of range"));
    }
    SECTION("this device's registration id") {
        tamper(store.path, "UPDATE local_device SET registration_id = " + value);
        CHECK_THAT(store.refusal(), Catch::Contains("registration id out of range"));
    }
}

TEST_CASE("a store created at a bare file name is made in the working directory, and reopens there", "[sqlite]") {
    TempDir dir;
    const std::filesystem::path before = std::filesystem::current_path();
    struct Back {
        std::filesystem::path to;
        ~Back() { std::filesystem::current_path(to); }
    } back{before};
    std::filesystem::current_path(dir.file(""));
    const LocalDevice bob = bob_device();
    const SqliteStoreOptions options = with_key(random_storage_key());
    {
        auto store = SqliteStore::create("bare.db", bob, options);
        store->pre_keys().store_pre_key(PreKeyRecord::generate(3));
    }
    CHECK(std::filesystem::is_regular_file(dir.file("bare.db")));
    auto reopened = SqliteStore::open("bare.db", options);
    CHECK(reopened->local_address() == bob.address);
    CHECK(reopened->pre_keys().load_pre_key(3));
}

TEST_CASE("an empty record is kept as the empty bytes it is, in a store without a storage key", "[sqlite]") {
    // Empty is a valid sender-key record (no chains) and a valid session
    // record (no states); SQLite hands an empty blob back as no pointer.
    Stored store(false);
    const ProtocolAddress carol{"carol", 3};
    const DistributionId group = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
    {
        auto bob = SqliteStore::open(store.path, store.options);
        bob->sender_keys().store_sender_key(carol, group, Bytes{});
        bob->sessions().store_session(carol, SessionRecord());
    }
    CHECK(query_integer(store.path, "SELECT length(record) FROM sender_keys WHERE name = 'carol'") == 0);
    auto bob = SqliteStore::open(store.path, store.options);
    const auto record = bob->sender_keys().load_sender_key(carol, group);
    REQUIRE(record);
    CHECK(record->size() == 0);
    CHECK(SenderKeyRecord::deserialize(record->span()).empty());
    const auto session = bob->sessions().load_session(carol);
    REQUIRE(session);
    CHECK_FALSE(session->has_current_state());
    // A group message from Carol finds no chain in it: no session, nothing written.
    MemorySenderKeyStore carol_keys;
    (void)create_sender_key_distribution_message(carol_keys, carol, group);
    const SenderKeyMessage message = group_encrypt(carol_keys, carol, group, as_bytes("x"));
    CHECK(error_of([&] { (void)group_decrypt(bob->sender_keys(), carol, message.serialize()); }) ==
          ErrorCode::no_session);
    CHECK(bob->sender_keys().load_sender_key(carol, group)->size() == 0);
}

TEST_CASE("a stored identity key or key pair that is no key is storage, not a key error", "[sqlite][foreign]") {
    // Without a storage key the rows are kept as they are, so the bytes
    // reach the parsers, whose refusal is the database's.
    Stored store(false);
    SECTION("Alice's recorded identity key") {
        tamper(store.path, "UPDATE identities SET identity_key = " + blob_literal(Bytes(33, 0x07)) +
                               " WHERE name = 'alice'");
        auto bob = SqliteStore::open(store.path, store.options);
        const ProtocolAddress alice{"alice", 7};
        CHECK_THROWS_WITH((void)bob->identities().identity(alice), Catch::Contains("stored identity key"));
        CHECK(error_of([&] { (void)bob->identities().identity(alice); }) == ErrorCode::storage);
    }
    SECTION("this device's own identity key pair") {
        tamper(store.path, "UPDATE local_device SET identity_key_pair = X'ff'");
        CHECK_THAT(store.refusal(), Catch::Contains("stored identity key pair"));
    }
}
