// Sessions over time: when they were made and last answered, staleness and
// the other usability requirements, listing and deleting what the stores
// hold, and identity changes as an app sees them.
#include <catch2/catch.hpp>

#include <memory>

#include "cliquet/cliquet.hpp"
#include "protocol/ratchet/session_state.hpp"
#include "storage.pb.h"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;
using std::chrono::days;
using std::chrono::milliseconds;

namespace {

// Both devices read the time from `now`.
struct Clocked {
    Timestamp now = kMadeAt;
    Device alice{"alice", 1};
    Device bob{"bob", 2};
    Clocked() {
        alice.options.clock = [this] { return now; };
        bob.options.clock = [this] { return now; };
    }
};

std::unique_ptr<ProtocolStore> make_store(bool durable, const TempDir& dir, const ProtocolAddress& address) {
    if (durable) return SqliteStore::create(dir.file("store.db"), LocalDevice{address, IdentityKeyPair::generate(), 2});
    return std::make_unique<MemoryProtocolStore>(IdentityKeyPair::generate(), 2);
}

}  // namespace

TEST_CASE("an unanswered session goes stale after 30 days, an answered or incoming one never", "[session][lifecycle]") {
    Clocked world;
    Device& alice = world.alice;
    Device& bob = world.bob;
    alice.start_session(bob.address, bob.bundle(1, 1, KyberPreKeyId{1}));
    const SessionRecord started = *alice.store->sessions().load_session(bob.address);
    CHECK(started.created_at() == kMadeAt);
    CHECK_FALSE(started.peer_answered_at());

    world.now += kMaxUnansweredSessionAge;
    CHECK(started.has_usable_sender_chain(world.now, {}));
    const CiphertextMessage late_hello = alice.encrypt_to(bob, "hello, a month on");
    world.now += milliseconds{1};
    CHECK_FALSE(alice.store->sessions().load_session(bob.address)->has_usable_sender_chain(world.now, {}));
    CHECK(alice.store->sessions().load_session(bob.address)->has_usable_sender_chain(world.now,
                                                                                      SessionRequirements::none()));
    CHECK(error_of([&] { (void)alice.encrypt_to(bob, "stale"); }) == ErrorCode::no_session);
    // An app that asks for nothing may still send on it.
    alice.options.requirements = SessionRequirements::none();
    CHECK(alice.encrypt_to(bob, "asked for nothing").type == CiphertextType::pre_key);
    alice.options.requirements = {};

    // Bob's side was started by Alice: never stale. His answer makes Alice's usable again.
    CHECK(bob.decrypt_from(alice, late_hello) == "hello, a month on");
    const SessionRecord incoming = *bob.store->sessions().load_session(alice.address);
    CHECK(incoming.created_at() == world.now);
    CHECK(incoming.peer_answered_at() == world.now);
    world.now += days{365};
    CHECK(incoming.has_usable_sender_chain(world.now, {}));
    const CiphertextMessage reply = bob.encrypt_to(alice, "here");
    CHECK(alice.decrypt_from(bob, reply) == "here");
    const SessionRecord answered = *alice.store->sessions().load_session(bob.address);
    CHECK(answered.peer_answered_at() == world.now);
    CHECK(answered.created_at() == kMadeAt);
    world.now += days{365};
    CHECK(answered.has_usable_sender_chain(world.now, SessionRequirements::all()));
    CHECK(alice.encrypt_to(bob, "a year on").type == CiphertextType::whisper);
}

TEST_CASE("usability requirements: PQXDH and SPQR", "[session][lifecycle]") {
    const Timestamp now = current_time();
    SECTION("an X3DH session, allowed by the opt-in policy, is not PQXDH") {
        Device alice("alice", 1), bob("bob", 2);
        alice.allow_version(3);
        alice.start_session(bob.address, bob.bundle(1, 1, std::nullopt));
        const SessionRecord record = *alice.store->sessions().load_session(bob.address);
        CHECK(record.has_usable_sender_chain(now, {}));
        CHECK_FALSE(record.has_usable_sender_chain(now, {.not_stale = false, .pqxdh = true, .spqr = false}));
        CHECK_FALSE(record.has_usable_sender_chain(now, {.not_stale = false, .pqxdh = false, .spqr = true}));
        alice.options.requirements.pqxdh = true;
        CHECK(error_of([&] { (void)alice.encrypt_to(bob, "x"); }) == ErrorCode::no_session);
    }
    SECTION("a PQXDH session with SPQR meets them all") {
        Device alice("alice", 1), bob("bob", 2);
        alice.start_session(bob.address, bob.bundle(1, 1, KyberPreKeyId{1}));
        CHECK(alice.store->sessions().load_session(bob.address)->has_usable_sender_chain(now,
                                                                                          SessionRequirements::all()));
        alice.options.requirements = SessionRequirements::all();
        CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "pq")) == "pq");
    }
    SECTION("no session, or only archived states, is never usable") {
        CHECK_FALSE(SessionRecord().has_usable_sender_chain(now, SessionRequirements::none()));
        Device alice("alice", 1), bob("bob", 2);
        alice.start_session(bob.address, bob.bundle(1, 1, KyberPreKeyId{1}));
        SessionRecord record = *alice.store->sessions().load_session(bob.address);
        record.archive_current_state();
        CHECK_FALSE(record.has_usable_sender_chain(now, SessionRequirements::none()));
    }
}

TEST_CASE("the pending pre-key's time is libsignal's seconds, and older records read right", "[session][lifecycle]") {
    Clocked world;
    world.alice.start_session(world.bob.address, world.bob.bundle(1, 1, KyberPreKeyId{1}));
    const SessionRecord record = *world.alice.store->sessions().load_session(world.bob.address);
    const SecretBytes serialized = record.data().current->serialize();
    proto::storage::SessionStructure structure;
    REQUIRE(structure.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())));
    const auto state_of = [](proto::storage::SessionStructure s) { return protocol::SessionState::from_proto(s); };
    CHECK(structure.pending_pre_key().timestamp() == unix_ms(kMadeAt) / 1000);

    // A state libsignal wrote has only the pending pre-key's seconds; one an
    // earlier cliquet wrote has milliseconds there. Both date the session.
    structure.clear_cliquet_created_at_ms();
    CHECK(state_of(structure).created_at() == kMadeAt);
    structure.mutable_pending_pre_key()->set_timestamp(unix_ms(kMadeAt) + 123);
    CHECK(state_of(structure).created_at() == kMadeAt + milliseconds{123});
    structure.clear_pending_pre_key();
    CHECK_FALSE(state_of(structure).created_at());
    CHECK_FALSE(state_of(structure).is_stale(kMadeAt + days{1000}));
}

TEST_CASE("both stores list and delete sessions, pre-keys and sender keys", "[store][lifecycle]") {
    TempDir dir;
    const bool durable = GENERATE(false, true);
    INFO((durable ? "SqliteStore" : "MemoryProtocolStore"));
    const ProtocolAddress bob_address{"bob", 1};
    std::unique_ptr<ProtocolStore> bob = make_store(durable, dir, bob_address);
    const IdentityKeyPair& identity = bob->identities().identity_key_pair();

    // Sessions with three devices of Alice and one of Carol.
    for (const ProtocolAddress& peer : {ProtocolAddress{"alice", 3}, ProtocolAddress{"alice", 1},
                                        ProtocolAddress{"alice", 2}, ProtocolAddress{"carol", 1}}) {
        Device other(peer.name, 5);
        process_pre_key_bundle(*bob, peer, other.bundle(1, 1, KyberPreKeyId{1}));
    }
    CHECK(bob->sessions().session_device_ids("alice") == std::vector<std::uint32_t>{1, 2, 3});
    CHECK(bob->sessions().session_device_ids("carol") == std::vector<std::uint32_t>{1});
    CHECK(bob->sessions().session_device_ids("al").empty());
    bob->sessions().delete_session({"alice", 2});
    bob->sessions().delete_session({"alice", 2});  // absent: not an error
    CHECK(bob->sessions().session_device_ids("alice") == std::vector<std::uint32_t>{1, 3});
    CHECK(bob->sessions().delete_all_sessions("alice") == 2);
    CHECK(bob->sessions().session_device_ids("alice").empty());
    CHECK(bob->sessions().load_session({"carol", 1}));

    // Pre-keys of every kind.
    for (PreKeyId id : {PreKeyId{9}, PreKeyId{4}}) bob->pre_keys().store_pre_key(PreKeyRecord::generate(id));
    for (SignedPreKeyId id : {SignedPreKeyId{8}, SignedPreKeyId{2}})
        bob->signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(id, identity, kMadeAt));
    bob->kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(6, identity, kMadeAt),
                                              KyberPreKeyKind::last_resort);
    bob->kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(5, identity, kMadeAt),
                                              KyberPreKeyKind::one_time);
    CHECK(bob->pre_keys().pre_key_ids() == std::vector<PreKeyId>{4, 9});
    CHECK(bob->signed_pre_keys().signed_pre_key_ids() == std::vector<SignedPreKeyId>{2, 8});
    CHECK(bob->kyber_pre_keys().kyber_pre_keys() ==
          std::vector<KyberPreKeyEntry>{{5, KyberPreKeyKind::one_time}, {6, KyberPreKeyKind::last_resort}});
    bob->pre_keys().remove_pre_key(4);
    bob->signed_pre_keys().remove_signed_pre_key(8);
    bob->kyber_pre_keys().remove_kyber_pre_key(5);
    CHECK(bob->pre_keys().pre_key_ids() == std::vector<PreKeyId>{9});
    CHECK(bob->signed_pre_keys().signed_pre_key_ids() == std::vector<SignedPreKeyId>{2});
    CHECK(bob->kyber_pre_keys().kyber_pre_keys() == std::vector<KyberPreKeyEntry>{{6, KyberPreKeyKind::last_resort}});

    // The Kyber contract straight on the store.
    const PublicKey base_key = KeyPair::generate().public_key;
    bob->kyber_pre_keys().mark_kyber_pre_key_used(6, 2, base_key);
    CHECK(error_of([&] { bob->kyber_pre_keys().mark_kyber_pre_key_used(6, 2, base_key); }) ==
          ErrorCode::invalid_message);
    bob->kyber_pre_keys().mark_kyber_pre_key_used(6, 3, base_key);  // another signed pre-key: another use
    CHECK(error_of([&] { bob->kyber_pre_keys().mark_kyber_pre_key_used(5, 2, base_key); }) ==
          ErrorCode::invalid_pre_key);
    // Removed and stored anew, the id forgets its uses.
    bob->kyber_pre_keys().remove_kyber_pre_key(6);
    bob->kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(6, identity, kMadeAt),
                                              KyberPreKeyKind::last_resort);
    bob->kyber_pre_keys().mark_kyber_pre_key_used(6, 2, base_key);

    // Sender keys.
    const DistributionId one{1}, two{2};
    for (const auto& [sender, group] : {std::pair{ProtocolAddress{"carol", 1}, two},
                                        std::pair{ProtocolAddress{"alice", 1}, one},
                                        std::pair{ProtocolAddress{"alice", 1}, two}})
        (void)create_sender_key_distribution_message(bob->sender_keys(), sender, group);
    CHECK(bob->sender_keys().sender_key_names() == std::vector<SenderKeyName>{{{"alice", 1}, one},
                                                                             {{"alice", 1}, two},
                                                                             {{"carol", 1}, two}});
    bob->sender_keys().delete_sender_key({"alice", 1}, two);
    CHECK(bob->sender_keys().sender_key_names() ==
          std::vector<SenderKeyName>{{{"alice", 1}, one}, {{"carol", 1}, two}});
    CHECK_FALSE(bob->sender_keys().load_sender_key({"alice", 1}, two));
}

TEST_CASE("save_identity says new, unchanged or replaced, a changed key is refused with the key", "[identity][lifecycle]") {
    Device alice("alice", 1), bob("bob", 2);
    IdentityKeyStore& identities = alice.store->identities();
    const IdentityKey bob_key = bob.identity().public_key();
    CHECK(identities.save_identity(bob.address, bob_key) == IdentityChange::new_identity);
    CHECK(identities.save_identity(bob.address, bob_key) == IdentityChange::unchanged);

    // Bob reinstalls; the server hands Alice his new bundle.
    Device new_bob("bob", 3);
    const PreKeyBundle bundle = new_bob.bundle(1, 1, KyberPreKeyId{1});
    const std::string before = alice.snapshot();
    try {
        alice.start_session(bob.address, bundle);
        FAIL("a changed identity was accepted");
    } catch (const UntrustedIdentityError& e) {
        CHECK(e.code() == ErrorCode::untrusted_identity);
        CHECK(e.address() == bob.address);
        CHECK(e.identity_key() == new_bob.identity().public_key());
    }
    CHECK(alice.snapshot() == before);
    // Alice accepts the new safety number and carries on.
    CHECK(identities.save_identity(bob.address, new_bob.identity().public_key()) == IdentityChange::replaced);
    alice.start_session(bob.address, bundle);
    CHECK(new_bob.decrypt_from(alice, alice.encrypt_to(new_bob, "welcome back")) == "welcome back");

    // An encrypt on a session whose identity is no longer trusted names it too.
    identities.save_identity(bob.address, bob_key);
    try {
        (void)alice.encrypt_to(new_bob, "x");
        FAIL("encrypted to an untrusted identity");
    } catch (const UntrustedIdentityError& e) {
        CHECK(e.identity_key() == new_bob.identity().public_key());
    }
}
