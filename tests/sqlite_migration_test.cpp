// Schema migrations, from files an earlier build wrote: tests/data/v1_*.db
// were made by cliquet at commit e0567d9 (schema version 1), as
// tests/data/make_v1_stores.cpp says, and v1_stores.json records what they
// hold. Each test works on copies.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;
using nlohmann::json;

namespace {

const std::string kData = CLIQUET_SOURCE_DIR "/tests/data/";
const ProtocolAddress kAlice{"alice", 1};
const ProtocolAddress kBob{"bob", 1};

json manifest() {
    std::ifstream in(kData + "v1_stores.json");
    return json::parse(in);
}

Bytes hex_of(const json& value) { return from_hex(value.get<std::string>()); }

// A copy of the kept file `name` in `dir`.
std::string copy_of_kept(const TempDir& dir, const std::string& name) {
    const std::string path = dir.file(name);
    std::filesystem::copy_file(kData + name, path);
    return path;
}

SqliteStoreOptions bob_options() {
    const Bytes key = hex_of(manifest()["bob_storage_key"]);
    SqliteStoreOptions options;
    options.storage_key.emplace();
    std::copy(key.begin(), key.end(), options.storage_key->data());
    return options;
}

DistributionId group() {
    const Bytes id = hex_of(manifest()["distribution_id"]);
    DistributionId out{};
    std::copy(id.begin(), id.end(), out.begin());
    return out;
}

LocalDevice new_device() { return LocalDevice{{"carol", 1}, IdentityKeyPair::generate(), 3}; }

std::string text_of(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

// Every row of every table, as a reader without the storage key sees them,
// leaving out the columns a migration may change: the sealed values (new
// nonces), version 1's `used` flag, and the integrity record version 3 adds
// to meta with a storage key.
std::string rows_in_clear(const std::string& path) {
    return query_rows(path, "SELECT name, hex(value) FROM meta WHERE name != 'state' ORDER BY name") +
           query_rows(path, "SELECT name, device_id, registration_id FROM local_device") +
           query_rows(path, "SELECT name, device_id FROM identities ORDER BY name, device_id") +
           query_rows(path, "SELECT id FROM pre_keys ORDER BY id") +
           query_rows(path, "SELECT id FROM signed_pre_keys ORDER BY id") +
           query_rows(path, "SELECT id FROM kyber_pre_keys ORDER BY id") +
           query_rows(path, "SELECT name, device_id FROM sessions ORDER BY name, device_id") +
           query_rows(path, "SELECT name, device_id, hex(distribution_id) FROM sender_keys ORDER BY name");
}

// The values themselves: in a file without a storage key, a migration
// that loses nothing keeps them byte for byte.
std::string values(const std::string& path) {
    return query_rows(path, "SELECT identity_key_pair FROM local_device") +
           query_rows(path, "SELECT identity_key FROM identities ORDER BY name, device_id") +
           query_rows(path, "SELECT record FROM pre_keys ORDER BY id") +
           query_rows(path, "SELECT record FROM signed_pre_keys ORDER BY id") +
           query_rows(path, "SELECT record FROM kyber_pre_keys ORDER BY id") +
           query_rows(path, "SELECT record FROM sessions ORDER BY name, device_id") +
           query_rows(path, "SELECT record FROM sender_keys ORDER BY name, device_id, distribution_id");
}

}  // namespace

TEST_CASE("a version-1 store without a storage key migrates in place and loses nothing", "[sqlite][migration]") {
    TempDir dir;
    const std::string path = copy_of_kept(dir, "v1_alice.db");
    REQUIRE(query_integer(path, "PRAGMA user_version") == 1);
    const std::string clear_before = rows_in_clear(path);
    const std::string values_before = values(path);
    const json kept = manifest();

    {
        auto alice = SqliteStore::open(path);
        CHECK(alice->local_address() == kAlice);
        CHECK(alice->identities().identity_key_pair().public_key().serialize() == hex_of(kept["alice_identity"]));
        CHECK(alice->identities().identity(kBob)->serialize() == hex_of(kept["bob_identity"]));
        CHECK(alice->sessions().session_device_ids("bob") == std::vector<std::uint32_t>{1});
        const std::vector<SenderKeyName> own_keys = alice->sender_keys().sender_key_names();
        REQUIRE(own_keys.size() == 1);
        CHECK(own_keys[0].sender == kAlice);
        CHECK(own_keys[0].distribution_id == group());
    }
    CHECK(query_integer(path, "PRAGMA user_version") == SqliteStore::kSchemaVersion);
    CHECK(rows_in_clear(path) == clear_before);
    CHECK(values(path) == values_before);
    // A new store has exactly the tables a migrated one has.
    (void)SqliteStore::create(dir.file("new.db"), new_device());
    const std::string tables = "SELECT type, name, sql FROM sqlite_schema ORDER BY name";
    CHECK(query_rows(path, tables) == query_rows(dir.file("new.db"), tables));
}

TEST_CASE("a sealed version-1 store migrates in place, re-sealed, and carries on", "[sqlite][migration]") {
    TempDir dir;
    const std::string alice_path = copy_of_kept(dir, "v1_alice.db");
    const std::string bob_path = copy_of_kept(dir, "v1_bob.db");
    const std::string clear_before = rows_in_clear(bob_path);
    const json kept = manifest();

    (void)SqliteStore::open(bob_path, bob_options());
    CHECK(query_integer(bob_path, "PRAGMA user_version") == SqliteStore::kSchemaVersion);
    CHECK(rows_in_clear(bob_path) == clear_before);
    auto alice = SqliteStore::open(alice_path);
    auto bob = SqliteStore::open(bob_path, bob_options());

    // Every record reads back, and is the one version 1 held.
    CHECK(bob->identities().identity_key_pair().public_key().serialize() == hex_of(kept["bob_identity"]));
    CHECK(bob->identities().local_registration_id() == 2222);
    CHECK(bob->identities().identity(kAlice)->serialize() == hex_of(kept["alice_identity"]));
    CHECK(bob->pre_keys().pre_key_ids() == std::vector<PreKeyId>{2, 3});
    for (const auto& [id, key] : kept["bob_pre_keys"].items())
        CHECK(bob->pre_keys().load_pre_key(static_cast<std::uint32_t>(std::stoul(id)))->key_pair().public_key.serialize() == hex_of(key));
    CHECK(bob->signed_pre_keys().signed_pre_key_ids() == std::vector<SignedPreKeyId>{7});
    CHECK(bob->signed_pre_keys().load_signed_pre_key(7)->key_pair().public_key.serialize() ==
          hex_of(kept["bob_signed_pre_key"]));
    // Version 1 kept every Kyber key after use: they stay, as last-resort keys.
    CHECK(bob->kyber_pre_keys().kyber_pre_keys() ==
          std::vector<KyberPreKeyEntry>{{11, KyberPreKeyKind::last_resort}, {12, KyberPreKeyKind::last_resort}});
    for (const auto& [id, key] : kept["bob_kyber_pre_keys"].items())
        CHECK(bob->kyber_pre_keys().load_kyber_pre_key(static_cast<std::uint32_t>(std::stoul(id)))->key_pair().public_key.serialize() ==
              hex_of(key));
    CHECK(bob->sender_keys().sender_key_names() == std::vector<SenderKeyName>{{kAlice, group()}});
    CHECK(bob->sessions().session_device_ids("alice") == std::vector<std::uint32_t>{1});

    // The messages in flight across the migration decrypt, and the
    // conversation carries on both ways.
    CHECK(SessionCipher(*bob, kBob, kAlice).decrypt(CiphertextType::whisper, hex_of(kept["in_flight_whisper"])) ==
          hex_of(kept["in_flight_whisper_plaintext"]));
    CHECK(group_decrypt(bob->sender_keys(), kAlice, hex_of(kept["in_flight_group"])) ==
          hex_of(kept["in_flight_group_plaintext"]));
    const auto reply = SessionCipher(*bob, kBob, kAlice).encrypt(as_bytes("after the migration"));
    CHECK(reply.type == CiphertextType::whisper);
    CHECK(text_of(SessionCipher(*alice, kAlice, kBob).decrypt(reply.type, reply.bytes)) == "after the migration");
    const auto next = SessionCipher(*alice, kAlice, kBob).encrypt(as_bytes("and back"));
    CHECK(text_of(SessionCipher(*bob, kBob, kAlice).decrypt(next.type, next.bytes)) == "and back");

    // A new sender starts a session on a kept pre-key and the unused Kyber key.
    Device carol("carol", 33);
    const auto signed_pre_key = *bob->signed_pre_keys().load_signed_pre_key(7);
    const auto pre_key = *bob->pre_keys().load_pre_key(2);
    const auto kyber = *bob->kyber_pre_keys().load_kyber_pre_key(12);
    process_pre_key_bundle(*carol.store, kBob, bundle_of(bob->identities(), 1, signed_pre_key, &pre_key, &kyber));
    const auto hello = SessionCipher(*carol.store, carol.address, kBob).encrypt(as_bytes("hello bob"));
    CHECK(text_of(SessionCipher(*bob, kBob, carol.address).decrypt(hello.type, hello.bytes)) == "hello bob");
    CHECK(bob->pre_keys().pre_key_ids() == std::vector<PreKeyId>{3});
    CHECK(bob->kyber_pre_keys().load_kyber_pre_key(12));
    bob.reset();
    CHECK(query_integer(bob_path, "SELECT count(*) FROM kyber_base_keys_used WHERE kyber_pre_key_id = 12") == 1);

    // Opened again, the file is current: nothing is migrated twice.
    bob = SqliteStore::open(bob_path, bob_options());
    CHECK(bob->pre_keys().pre_key_ids() == std::vector<PreKeyId>{3});
    CHECK(bob->kyber_pre_keys().kyber_pre_keys().size() == 2);
}

TEST_CASE("a migration that cannot finish leaves the version-1 file as it was", "[sqlite][migration]") {
    TempDir dir;
    const std::string path = copy_of_kept(dir, "v1_bob.db");

    SECTION("a sealed row that does not open stops the re-sealing half-way") {
        // The last sealed value of the last table re-sealed: every row before
        // it has been re-sealed in the transaction when the step fails.
        tamper(path, "UPDATE sender_keys SET record = zeroblob(length(record))");
        const Bytes before = read_file(path);
        try {
            (void)SqliteStore::open(path, bob_options());
            FAIL("a damaged file was opened");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::storage);
        }
        CHECK(read_file(path) == before);
        CHECK(query_integer(path, "PRAGMA user_version") == 1);
    }
    SECTION("a wrong storage key is refused before any step runs") {
        const Bytes before = read_file(path);
        SqliteStoreOptions wrong = bob_options();
        wrong.storage_key->data()[0] ^= 1;
        try {
            (void)SqliteStore::open(path, wrong);
            FAIL("a wrong storage key was accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::storage);
            CHECK(std::string(e.what()) == "wrong storage key");
        }
        CHECK(read_file(path) == before);
    }
    SECTION("a file whose tables are not version 1's is refused before any step runs") {
        tamper(path, "CREATE TABLE kyber_base_keys_used (x INTEGER) STRICT");
        const Bytes before = read_file(path);
        CHECK(error_of([&] { (void)SqliteStore::open(path, bob_options()); }) == ErrorCode::storage);
        CHECK(read_file(path) == before);
    }
}
