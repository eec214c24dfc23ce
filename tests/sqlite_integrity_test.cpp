// Integrity of the stored state against someone who can write the database
// file but does not know the storage key: each attack is carried out on the
// closed file, as malware, a backup tool or a synced folder could, and the
// next open() must refuse it, name what happened, and leave the file as it
// was. A whole file put back to an older copy is caught only with a
// RollbackGuard.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"
#include "sqlite_store_fixtures.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;

namespace {

std::string text_of(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

constexpr DistributionId kGroup = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// Bob's store at `path` (sealed unless asked), with a session Alice started
// on his one-time pre-key 1, signed pre-key 1 and last-resort Kyber pre-key
// 1, and that he answered. He also holds one-time pre-key 2.
struct Conversation {
    TempDir dir;
    std::string path = dir.file("bob.db");
    SqliteStoreOptions options = with_key(random_storage_key());
    LocalDevice bob = bob_device();
    Device alice{"alice", 7};

    explicit Conversation(bool sealed = true, std::shared_ptr<RollbackGuard> guard = nullptr) {
        if (!sealed) options.storage_key.reset();
        options.rollback_guard = std::move(guard);
        auto store = SqliteStore::create(path, bob, options);
        process_pre_key_bundle(*alice.store, bob.address,
                              publish_bundle(*store, 1, 1, 1, 1, KyberPreKeyKind::last_resort));
        store->pre_keys().store_pre_key(PreKeyRecord::generate(2));
        const auto hello = to_bob("hello");
        CHECK(text_of(from_alice(*store).decrypt(hello.type, hello.bytes)) == "hello");
        const auto reply = from_alice(*store).encrypt(as_bytes("hi"));
        CHECK(text_of(SessionCipher(*alice.store, alice.address, bob.address).decrypt(reply.type, reply.bytes)) ==
              "hi");
    }

    CiphertextMessage to_bob(std::string_view text) {
        return SessionCipher(*alice.store, alice.address, bob.address).encrypt(as_bytes(text));
    }
    SessionCipher from_alice(SqliteStore& store) const { return SessionCipher(store, bob.address, alice.address); }
    std::unique_ptr<SqliteStore> open() { return SqliteStore::open(path, options); }
    std::string refusal() { return refusal_of(path, options); }
    Bytes session_row() { return query_blob(path, "SELECT record FROM sessions WHERE name = 'alice'"); }
    void put_session_row(const Bytes& row) {
        tamper(path, "UPDATE sessions SET record = " + blob_literal(row) + " WHERE name = 'alice'");
    }
};

std::uint32_t counter_of(const CiphertextMessage& message) {
    return SignalMessage::deserialize(message.bytes).counter();
}

}  // namespace

TEST_CASE("a session row rolled back is refused: no message decrypts twice", "[sqlite][integrity]") {
    Conversation conversation;
    const Bytes old_row = conversation.session_row();
    const auto first = conversation.to_bob("first");
    {
        auto bob = conversation.open();
        CHECK(text_of(conversation.from_alice(*bob).decrypt(first.type, first.bytes)) == "first");
    }
    conversation.put_session_row(old_row);
    CHECK_THAT(conversation.refusal(),
               Catch::Contains("integrity check failed: a row of the sessions table was rolled back"));
}

TEST_CASE("a session row rolled back is refused: no message key is used twice", "[sqlite][integrity]") {
    Conversation conversation;
    const Bytes old_row = conversation.session_row();
    {
        auto bob = conversation.open();
        (void)conversation.from_alice(*bob).encrypt(as_bytes("first"));
    }
    conversation.put_session_row(old_row);
    CHECK_THAT(conversation.refusal(), Catch::Contains("a row of the sessions table was rolled back"));
}

TEST_CASE("a trusted identity deleted is refused: no silent trust of a new key", "[sqlite][integrity]") {
    Conversation conversation;
    const ProtocolAddress carol{"carol", 1};
    {
        auto bob = conversation.open();
        CHECK(bob->identities().save_identity(carol, IdentityKeyPair::generate().public_key()) ==
              IdentityChange::new_identity);
    }
    tamper(conversation.path, "DELETE FROM identities WHERE name = 'carol'");
    CHECK_THAT(conversation.refusal(),
               Catch::Contains("integrity check failed: a row was deleted from the identities table"));
}

TEST_CASE("a row added back from an older copy is refused", "[sqlite][integrity]") {
    Conversation conversation;
    // Pre-key 2 is still there; Carol uses it, then an attacker puts it back.
    const Bytes pre_key_row = query_blob(conversation.path, "SELECT record FROM pre_keys WHERE id = 2");
    {
        auto bob = conversation.open();
        bob->pre_keys().remove_pre_key(2);
    }
    SECTION("a used one-time pre-key") {
        tamper(conversation.path, "INSERT INTO pre_keys (id, record) VALUES (2, " + blob_literal(pre_key_row) + ")");
        CHECK_THAT(conversation.refusal(),
                   Catch::Contains("integrity check failed: a row was added to the pre_keys table"));
    }
    SECTION("a session copied under another address") {
        tamper(conversation.path, "INSERT INTO sessions (name, device_id, record) "
                                  "SELECT 'mallory', 1, record FROM sessions WHERE name = 'alice'");
        CHECK_THAT(conversation.refusal(), Catch::Contains("a row was added to the sessions table"));
    }
    SECTION("a deleted session put back") {
        // The copy above is refused when read even without the integrity
        // record: its seal names Alice's place, not Mallory's. Alice's own
        // row, put back after Bob deleted the session, opens as it is and
        // would decrypt her old messages again.
        const Bytes session_row = conversation.session_row();
        {
            auto bob = conversation.open();
            bob->sessions().delete_session(conversation.alice.address);
        }
        tamper(conversation.path, "INSERT INTO sessions (name, device_id, record) VALUES ('alice', 1, " +
                                      blob_literal(session_row) + ")");
        CHECK_THAT(conversation.refusal(), Catch::Contains("a row was added to the sessions table"));
    }
}

TEST_CASE("a forgotten use of a last-resort Kyber pre-key is refused: no replay", "[sqlite][integrity]") {
    // Alice's pre-key message used Bob's last-resort Kyber pre-key: Bob
    // remembers its base key, to refuse the message if it comes again once
    // its session is gone. Deleting that row would let it start a session.
    Conversation conversation;
    REQUIRE(query_integer(conversation.path, "SELECT count(*) FROM kyber_base_keys_used") == 1);
    tamper(conversation.path, "DELETE FROM kyber_base_keys_used");
    CHECK_THAT(conversation.refusal(), Catch::Contains("a row was deleted from the kyber_base_keys_used table"));
}

TEST_CASE("columns kept in clear are covered too", "[sqlite][integrity]") {
    Conversation conversation;
    {
        auto bob = conversation.open();
        bob->kyber_pre_keys().store_kyber_pre_key(
            KyberPreKeyRecord::generate(2, bob->identities().identity_key_pair(), kMadeAt), KyberPreKeyKind::one_time);
        bob->pre_key_metadata().store_pre_key_metadata({.next_pre_key_id = 3,
                                                        .next_signed_pre_key_id = 2,
                                                        .next_kyber_pre_key_id = 3,
                                                        .current_signed_pre_key_id = 1,
                                                        .current_last_resort_kyber_pre_key_id = 1});
    }
    SECTION("a one-time Kyber pre-key made last-resort, to be kept after use") {
        tamper(conversation.path, "UPDATE kyber_pre_keys SET last_resort = 1 WHERE id = 2");
        CHECK_THAT(conversation.refusal(), Catch::Contains("a row of the kyber_pre_keys table was rolled back"));
    }
    SECTION("the next pre-key ids put back, to hand out an id twice") {
        tamper(conversation.path, "UPDATE pre_key_metadata SET next_pre_key_id = 1");
        CHECK_THAT(conversation.refusal(), Catch::Contains("a row of the pre_key_metadata table was rolled back"));
    }
    SECTION("the current signed pre-key forgotten") {
        tamper(conversation.path, "UPDATE pre_key_metadata SET current_signed_pre_key_id = NULL");
        CHECK_THAT(conversation.refusal(), Catch::Contains("a row of the pre_key_metadata table was rolled back"));
    }
}

TEST_CASE("the local device's clear columns are bound to its sealed identity", "[sqlite][integrity]") {
    Conversation conversation;
    const std::string edit = GENERATE(as<std::string>{}, "name = 'mallory'", "device_id = 2", "registration_id = 1");
    tamper(conversation.path, "UPDATE local_device SET " + edit);
    CHECK_THAT(conversation.refusal(), Catch::Contains("integrity check failed: the local device row was altered"));
}

TEST_CASE("the integrity record itself cannot be altered, deleted or rolled back", "[sqlite][integrity]") {
    Conversation conversation;
    const Bytes old_record = query_blob(conversation.path, "SELECT value FROM meta WHERE name = 'state'");
    {
        auto bob = conversation.open();
        bob->pre_keys().store_pre_key(PreKeyRecord::generate(3));
    }
    const Bytes record = query_blob(conversation.path, "SELECT value FROM meta WHERE name = 'state'");
    SECTION("a bit flipped anywhere") {
        for (std::size_t at = 0; at < record.size(); at += 7) {
            Bytes altered = record;
            altered[at] ^= 0x01;
            tamper(conversation.path, "UPDATE meta SET value = " + blob_literal(altered) + " WHERE name = 'state'");
            INFO("byte " << at);
            CHECK_THAT(conversation.refusal(), Catch::Contains("integrity record"));
        }
    }
    SECTION("deleted") {
        tamper(conversation.path, "DELETE FROM meta WHERE name = 'state'");
        CHECK_THAT(conversation.refusal(), Catch::Contains("the integrity record was deleted"));
    }
    SECTION("put back alone to an older one") {
        tamper(conversation.path, "UPDATE meta SET value = " + blob_literal(old_record) + " WHERE name = 'state'");
        CHECK_THAT(conversation.refusal(), Catch::Contains("a row was added to the pre_keys table"));
    }
}

TEST_CASE("every write keeps the state and its record in step", "[sqlite][integrity]") {
    const bool sealed = GENERATE(true, false);
    auto guard = std::make_shared<CounterGuard>();
    Conversation conversation(sealed, guard);
    const ProtocolAddress carol{"carol", 1};
    const auto commits_before = guard->recorded.size();
    {
        auto bob = conversation.open();
        SessionCipher from_alice = conversation.from_alice(*bob);
        for (int i = 0; i < 5; ++i) {
            const auto message = conversation.to_bob("m" + std::to_string(i));
            CHECK(text_of(from_alice.decrypt(message.type, message.bytes)) == "m" + std::to_string(i));
        }
        // One commit per decrypt, each numbered after the last.
        REQUIRE(guard->recorded.size() == commits_before + 5);
        for (std::size_t i = 1; i < guard->recorded.size(); ++i) CHECK(guard->recorded[i] > guard->recorded[i - 1]);

        // A failed unit, a refused write, a unit that writes nothing and a
        // removal of nothing number no commit and change nothing.
        const auto numbered = guard->recorded.size();
        CHECK_THROWS(bob->run_atomically([&] {
            bob->pre_keys().store_pre_key(PreKeyRecord::generate(10));
            bob->identities().save_identity(carol, IdentityKeyPair::generate().public_key());
            throw std::runtime_error("abandoned");
        }));
        CHECK_THROWS(bob->pre_keys().store_pre_key(PreKeyRecord::generate(2)));  // id taken
        bob->run_atomically([] {});
        bob->pre_keys().remove_pre_key(99);
        CHECK(guard->recorded.size() == numbered);
        bob->run_atomically([&] {
            bob->pre_keys().store_pre_key(PreKeyRecord::generate(11));
            try {
                bob->run_atomically([&] {
                    bob->pre_keys().remove_pre_key(11);
                    bob->sender_keys().store_sender_key(carol, kGroup, as_bytes("chain"));
                    throw Error(ErrorCode::invalid_message, "inner failure");
                });
            } catch (const Error&) {
            }
            bob->run_atomically([&] {
                bob->kyber_pre_keys().mark_kyber_pre_key_used(1, 1, IdentityKeyPair::generate().public_key());
            });
            bob->sender_keys().store_sender_key(carol, kGroup, as_bytes("chain 2"));
            bob->sender_keys().store_sender_key(carol, kGroup, as_bytes("chain 3"));
            bob->identities().save_identity(carol, IdentityKeyPair::generate().public_key());
        });
        CHECK(guard->recorded.size() == numbered + 1);
        const IdentityKeyPair& identity = bob->identities().identity_key_pair();
        bob->signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(2, identity, kMadeAt));
        bob->signed_pre_keys().remove_signed_pre_key(1);
        bob->kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(2, identity, kMadeAt),
                                                  KyberPreKeyKind::one_time);
        bob->kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(3, identity, kMadeAt),
                                                  KyberPreKeyKind::one_time);
        bob->kyber_pre_keys().mark_kyber_pre_key_used(2, 2, IdentityKeyPair::generate().public_key());  // removed
        bob->kyber_pre_keys().remove_kyber_pre_key(1);  // with its remembered base keys
        bob->pre_keys().remove_pre_key(2);
        bob->pre_key_metadata().store_pre_key_metadata({.next_pre_key_id = 12,
                                                        .next_signed_pre_key_id = 3,
                                                        .next_kyber_pre_key_id = 4,
                                                        .current_signed_pre_key_id = 2,
                                                        .current_last_resort_kyber_pre_key_id = std::nullopt});
        bob->pre_key_metadata().store_pre_key_metadata({.next_pre_key_id = 13,
                                                        .next_signed_pre_key_id = 3,
                                                        .next_kyber_pre_key_id = 4,
                                                        .current_signed_pre_key_id = 2,
                                                        .current_last_resort_kyber_pre_key_id = 3});
        bob->sessions().store_session(carol, SessionRecord());
        bob->sessions().store_session(ProtocolAddress{"carol", 2}, SessionRecord());
        bob->sessions().store_session(ProtocolAddress{"dave", 1}, SessionRecord());
        bob->sessions().delete_session(ProtocolAddress{"dave", 1});
        CHECK(bob->sessions().delete_all_sessions("carol") == 2);
        bob->sender_keys().store_sender_key(conversation.alice.address, kGroup, as_bytes("alice's chain"));
        bob->sender_keys().delete_sender_key(conversation.alice.address, kGroup);
    }
    // No false alarm: the file opens, with every change.
    auto bob = conversation.open();
    CHECK(bob->pre_keys().load_pre_key(11));
    CHECK_FALSE(bob->pre_keys().load_pre_key(10));
    CHECK(text_of(bob->sender_keys().load_sender_key(carol, kGroup)->span()) == "chain 3");
    CHECK(bob->sessions().session_device_ids("carol").empty());
    CHECK(bob->kyber_pre_keys().kyber_pre_keys().size() == 1);
    CHECK(guard->value == guard->recorded.back());
}

// A decrypt's store of its session reuses the version its load read, which
// holds only while nothing has changed the row since: each section writes or
// undoes between the read and the store, and the file must still open.
TEST_CASE("a session's version read before its store is forgotten by every change in between", "[sqlite][integrity]") {
    Conversation conversation;
    const ProtocolAddress& alice = conversation.alice.address;
    const ProtocolAddress carol{"carol", 1};
    {
        auto bob = conversation.open();
        SessionStore& sessions = bob->sessions();
        const SessionRecord record = *sessions.load_session(alice);

        SECTION("the row deleted, then stored anew") {
            (void)sessions.load_session(alice);
            sessions.delete_session(alice);
            sessions.store_session(alice, record);
        }
        SECTION("a unit that wrote the row, read it and was undone") {
            (void)sessions.load_session(alice);
            CHECK_THROWS_AS(bob->run_atomically([&] {
                sessions.store_session(alice, record);
                (void)sessions.load_session(alice);
                throw std::runtime_error("undone");
            }),
                            std::runtime_error);
            sessions.store_session(alice, record);
        }
        SECTION("a savepoint that wrote the row, read it and was undone") {
            bob->run_atomically([&] {
                (void)sessions.load_session(alice);
                try {
                    bob->run_atomically([&] {
                        sessions.store_session(alice, record);
                        (void)sessions.load_session(alice);
                        throw std::runtime_error("undone");
                    });
                } catch (const std::runtime_error&) {
                }
                sessions.store_session(alice, record);
            });
        }
        SECTION("two stores after one read") {
            (void)sessions.load_session(alice);
            sessions.store_session(alice, record);
            sessions.store_session(alice, record);
        }
        SECTION("another row written between") {
            (void)sessions.load_session(alice);
            sessions.store_session(carol, record);
            bob->identities().save_identity(carol, IdentityKeyPair::generate().public_key());
            sessions.store_session(alice, record);
        }
        SECTION("a write that changes nothing keeps the read") {
            (void)sessions.load_session(alice);
            const IdentityKey alice_identity = *bob->identities().identity(alice);
            CHECK(bob->identities().save_identity(alice, alice_identity) == IdentityChange::unchanged);
            sessions.store_session(alice, record);
        }
    }
    // No false alarm, and the session still works.
    auto bob = conversation.open();
    const auto message = conversation.to_bob("after");
    CHECK(text_of(conversation.from_alice(*bob).decrypt(message.type, message.bytes)) == "after");
}

// The same for the identity a decrypt checks and then saves, with and
// without a storage key: what a read remembered never outlives a change.
TEST_CASE("an identity read before its save is forgotten by every change in between", "[sqlite][integrity]") {
    const bool sealed = GENERATE(true, false);
    Conversation conversation(sealed);
    const ProtocolAddress& alice = conversation.alice.address;
    const IdentityKey known = conversation.alice.identity().public_key();
    const IdentityKey other = IdentityKeyPair::generate().public_key();
    {
        auto bob = conversation.open();
        IdentityKeyStore& identities = bob->identities();
        REQUIRE(identities.identity(alice) == known);

        SECTION("a unit that replaced the key, read it and was undone") {
            CHECK_THROWS_AS(bob->run_atomically([&] {
                CHECK(identities.save_identity(alice, other) == IdentityChange::replaced);
                CHECK(identities.identity(alice) == other);
                throw std::runtime_error("undone");
            }),
                            std::runtime_error);
            CHECK(identities.identity(alice) == known);
            CHECK(identities.is_trusted_identity(alice, known, Direction::receiving));
            CHECK(identities.save_identity(alice, known) == IdentityChange::unchanged);
        }
        SECTION("a savepoint that replaced the key, read it and was undone") {
            bob->run_atomically([&] {
                try {
                    bob->run_atomically([&] {
                        CHECK(identities.save_identity(alice, other) == IdentityChange::replaced);
                        CHECK(identities.identity(alice) == other);
                        throw std::runtime_error("undone");
                    });
                } catch (const std::runtime_error&) {
                }
                CHECK(identities.identity(alice) == known);
            });
            CHECK(identities.save_identity(alice, known) == IdentityChange::unchanged);
        }
        SECTION("replaced, then saved back") {
            CHECK(identities.save_identity(alice, other) == IdentityChange::replaced);
            CHECK_FALSE(identities.is_trusted_identity(alice, known, Direction::receiving));
            CHECK(identities.save_identity(alice, known) == IdentityChange::replaced);
            CHECK(identities.identity(alice) == known);
        }
        SECTION("another address's key read between") {
            const ProtocolAddress carol{"carol", 1};
            CHECK(identities.save_identity(carol, other) == IdentityChange::new_identity);
            CHECK(identities.identity(carol) == other);
            CHECK(identities.save_identity(alice, known) == IdentityChange::unchanged);
            CHECK(identities.identity(carol) == other);
        }
    }
    auto bob = conversation.open();
    CHECK(bob->identities().identity(alice) == known);
    const auto message = conversation.to_bob("after");
    CHECK(text_of(conversation.from_alice(*bob).decrypt(message.type, message.bytes)) == "after");
}

TEST_CASE("without a storage key, rows rolled back go unnoticed (as documented)", "[sqlite][integrity]") {
    Conversation conversation(/*sealed=*/false);
    const Bytes old_row = conversation.session_row();
    CiphertextMessage sent_before;
    {
        auto bob = conversation.open();
        sent_before = conversation.from_alice(*bob).encrypt(as_bytes("first"));
    }
    conversation.put_session_row(old_row);
    auto bob = conversation.open();
    const auto sent_again = conversation.from_alice(*bob).encrypt(as_bytes("second"));
    // The same message key for two plaintexts: what a storage key prevents.
    CHECK(counter_of(sent_again) == counter_of(sent_before));
}

TEST_CASE("a whole file restored from a backup", "[sqlite][integrity][guard]") {
    const bool sealed = GENERATE(true, false);
    auto guard = std::make_shared<CounterGuard>();
    Conversation conversation(sealed, guard);
    const Bytes backup = read_file(conversation.path);
    const auto first = conversation.to_bob("first");
    {
        auto bob = conversation.open();
        CHECK(text_of(conversation.from_alice(*bob).decrypt(first.type, first.bytes)) == "first");
    }
    write_file(conversation.path, backup);

    SECTION("without a guard, nothing can tell: the message decrypts again") {
        SqliteStoreOptions unguarded = conversation.options;
        unguarded.rollback_guard.reset();
        auto bob = SqliteStore::open(conversation.path, unguarded);
        CHECK(text_of(conversation.from_alice(*bob).decrypt(first.type, first.bytes)) == "first");
    }
    SECTION("with the guard, refused, then recovered explicitly") {
        CHECK_THAT(conversation.refusal(), Catch::Contains("the database was rolled back: it holds commit"));
        const std::uint64_t guard_before = guard->value;
        auto bob = SqliteStore::open_after_rollback(conversation.path, conversation.options);
        CHECK(guard->value == guard_before + 1);
        CHECK(bob->identities().identity_key_pair().public_key() == conversation.bob.identity.public_key());
        CHECK(bob->identities().identity(conversation.alice.address));
        CHECK(bob->signed_pre_keys().load_signed_pre_key(1));
        CHECK(bob->kyber_pre_keys().load_kyber_pre_key(1));  // last-resort: kept
        // Whatever could reuse a key or accept a message again is gone.
        CHECK_FALSE(bob->sessions().load_session(conversation.alice.address));
        CHECK_FALSE(bob->pre_keys().load_pre_key(2));
        CHECK(error_of([&] { (void)conversation.from_alice(*bob).decrypt(first.type, first.bytes); }) ==
              ErrorCode::no_session);
        bob.reset();
        CHECK_NOTHROW(conversation.open());
    }
}

TEST_CASE("a guard that misses records never refuses a sound file", "[sqlite][integrity][guard]") {
    auto guard = std::make_shared<CounterGuard>();
    Conversation conversation(true, guard);
    guard->frozen = true;  // as if the process died between each commit and its record
    {
        auto bob = conversation.open();
        bob->pre_keys().store_pre_key(PreKeyRecord::generate(5));
    }
    const std::uint64_t behind = guard->value;
    guard->frozen = false;
    auto bob = conversation.open();
    CHECK(guard->value > behind);
    CHECK(bob->pre_keys().load_pre_key(5));
    CHECK(error_of([] { (void)SqliteStore::open_after_rollback("nowhere.db", SqliteStoreOptions{}); }) ==
          ErrorCode::invalid_argument);
}

TEST_CASE("a version-1 file migrates, then is protected", "[sqlite][integrity][migration]") {
    TempDir dir;
    const std::string path = dir.file("bob.db");
    write_file(path, read_file(kept_file("v1_bob.db")));
    const SqliteStoreOptions options = with_key(kept_bob_key());
    const ProtocolAddress alice{"alice", 1};
    const ProtocolAddress bob_address{"bob", 1};
    // In flight when the file was made (tests/data/v1_stores.json).
    const Bytes whisper = from_hex(
        "440a2105ec003beaeff294a3c65320d456902d9f3ce5e872d258a0bfe8906081abcd242410001800222054414704dcb0caab5105fb11"
        "723a15f10a9d5e131bbaf087fc66f247b5bb4f592a250101010101b3f9f1144092f4667c989119070b866767120f4f4e3a8bbe811431"
        "ddef5e3d68f8c3edde851df979");

    SECTION("rows present at the migration are trusted as they are") {
        // A migration cannot tell what was changed before it ran.
        tamper(path, "DELETE FROM identities");
        auto bob = SqliteStore::open(path, options);
        CHECK_FALSE(bob->identities().identity(alice));
    }
    SECTION("changes after it are not") {
        { CHECK(SqliteStore::open(path, options)->identities().identity(alice)); }
        CHECK(query_integer(path, "PRAGMA user_version") == SqliteStore::kSchemaVersion);
        const Bytes old_row = query_blob(path, "SELECT record FROM sessions WHERE name = 'alice'");
        {
            auto bob = SqliteStore::open(path, options);
            CHECK(text_of(SessionCipher(*bob, bob_address, alice).decrypt(CiphertextType::whisper, whisper)) ==
                  "sent before the migration");
        }
        tamper(path, "UPDATE sessions SET record = " + blob_literal(old_row) + " WHERE name = 'alice'");
        CHECK_THAT(refusal_of(path, options), Catch::Contains("a row of the sessions table was rolled back"));
    }
    SECTION("its local device columns are bound from then on") {
        { (void)SqliteStore::open(path, options); }
        tamper(path, "UPDATE local_device SET registration_id = 1");
        CHECK_THAT(refusal_of(path, options), Catch::Contains("the local device row was altered"));
    }
    SECTION("a migrated file dressed up as unmigrated cannot have its rows trusted anew") {
        // The migration trusts what it finds: an attacker puts back an older
        // schema version and drops the record, to have today's rows, altered
        // at will, trusted anew. Every value was re-sealed for the current
        // version, so the migration cannot open them where the older one
        // put them.
        { (void)SqliteStore::open(path, options); }
        tamper(path, "PRAGMA user_version = 2; DELETE FROM meta WHERE name = 'state'; DELETE FROM identities");
        CHECK_THAT(refusal_of(path, options), Catch::Contains("does not open"));
    }
}
