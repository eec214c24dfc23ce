// PreKeyManager over both stores: batches, replenishing, rotation with a
// grace period, ids that never collide, and the upload set.
#include <catch2/catch.hpp>

#include <memory>
#include <set>

#include "cliquet/cliquet.hpp"
#include "cliquet/pre_key_manager.hpp"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;
using std::chrono::days;

namespace {

constexpr Timestamp kStart = timestamp_from_unix_ms(1'767'225'600'000);  // 2026-01-01

// Bob's stores, in memory or in a file, and a clock the test moves.
struct Bob {
    TempDir dir;
    std::unique_ptr<ProtocolStore> store;
    Timestamp now = kStart;
    ProtocolAddress address{"bob", 1};

    explicit Bob(bool durable) {
        const IdentityKeyPair identity = IdentityKeyPair::generate();
        if (durable)
            store = SqliteStore::create(dir.file("bob.db"), LocalDevice{address, identity, 2});
        else
            store = std::make_unique<MemoryProtocolStore>(identity, 2);
    }
    PreKeyManager manager(PreKeySchedule schedule = {}) {
        return PreKeyManager(*store, schedule, system_random(), [this] { return now; });
    }
    const IdentityKey& identity() { return store->identities().identity_key_pair().public_key(); }

    // What a server hands out from Bob's upload: the current signed and
    // last-resort keys, and a one-time EC key if `pre_key` is given.
    PreKeyBundle bundle(const PreKeyUpload& upload, std::optional<PublicPreKey> pre_key,
                        std::optional<PublicKyberPreKey> kyber = std::nullopt) {
        const PublicKyberPreKey& kyber_key = kyber ? *kyber : *upload.last_resort_kyber_pre_key;
        PreKeyBundle out{
            .registration_id = 2,
            .device_id = 1,
            .signed_pre_key_id = upload.signed_pre_key->id,
            .signed_pre_key = upload.signed_pre_key->key,
            .signed_pre_key_signature = upload.signed_pre_key->signature,
            .identity_key = identity(),
            .kyber_pre_key_id = kyber_key.id,
            .kyber_pre_key = kyber_key.key,
            .kyber_pre_key_signature = kyber_key.signature,
        };
        if (pre_key) {
            out.pre_key_id = pre_key->id;
            out.pre_key = pre_key->key;
        }
        return out;
    }
};

std::string text_of(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

// A new sender starts a session on `bundle` and Bob decrypts its first message.
void new_sender_reaches(Bob& bob, const PreKeyBundle& bundle, const std::string& name) {
    Device sender(name, 9);
    sender.start_session(bob.address, bundle);
    const CiphertextMessage hello = SessionCipher(*sender.store, sender.address, bob.address).encrypt(as_bytes("hi"));
    CHECK(text_of(SessionCipher(*bob.store, bob.address, sender.address).decrypt(hello.type, hello.bytes)) == "hi");
}

}  // namespace

TEST_CASE("the first run makes everything a new device uploads, and the next one nothing", "[pre_key_manager]") {
    Bob bob(GENERATE(false, true));
    PreKeyManager keys = bob.manager();
    const PreKeyUpload first = keys.run_schedule();
    REQUIRE(first.signed_pre_key);
    REQUIRE(first.last_resort_kyber_pre_key);
    CHECK(first.one_time_pre_keys.size() == 100);
    CHECK(first.one_time_kyber_pre_keys.size() == 100);
    CHECK(keys.unused_counts().one_time_pre_keys == 100);
    CHECK(keys.unused_counts().one_time_kyber_pre_keys == 100);

    // Every key is signed by the identity where a signature belongs, and
    // every id is a 24-bit id that names nothing else of its kind.
    CHECK(bob.identity().verify(first.signed_pre_key->key.serialize(), first.signed_pre_key->signature));
    std::set<std::uint32_t> kyber_ids{first.last_resort_kyber_pre_key->id};
    for (const PublicKyberPreKey& key : first.one_time_kyber_pre_keys) {
        CHECK(bob.identity().verify(key.key.serialize(), key.signature));
        CHECK(kyber_ids.insert(key.id).second);
    }
    std::set<std::uint32_t> ec_ids;
    for (const PublicPreKey& key : first.one_time_pre_keys) CHECK(ec_ids.insert(key.id).second);
    for (std::uint32_t id : ec_ids) CHECK((id >= 1 && id <= kMaxManagedPreKeyId));
    for (std::uint32_t id : kyber_ids) CHECK((id >= 1 && id <= kMaxManagedPreKeyId));
    CHECK(bob.store->kyber_pre_keys().kyber_pre_keys().size() == 101);

    // The full upload set is what the first run made.
    const PreKeyUpload all = keys.upload_set();
    CHECK(all.signed_pre_key->id == first.signed_pre_key->id);
    CHECK(all.last_resort_kyber_pre_key->id == first.last_resort_kyber_pre_key->id);
    CHECK(all.one_time_pre_keys.size() == 100);
    CHECK(all.one_time_kyber_pre_keys.size() == 100);

    bob.now += days{1};
    CHECK(keys.run_schedule().empty());
    new_sender_reaches(bob, bob.bundle(first, first.one_time_pre_keys[0], first.one_time_kyber_pre_keys[0]), "alice");
    CHECK(keys.unused_counts().one_time_pre_keys == 99);
    CHECK(keys.unused_counts().one_time_kyber_pre_keys == 99);
}

TEST_CASE("one-time keys are replenished under the threshold, under ids still free", "[pre_key_manager]") {
    Bob bob(GENERATE(false, true));
    PreKeyManager keys = bob.manager({.batch_size = 12, .replenish_below = 4});
    const PreKeyUpload first = keys.run_schedule();
    REQUIRE(first.one_time_pre_keys.size() == 12);

    // Eight senders use eight pair of keys: four of each kind remain, not yet under 4.
    for (std::size_t i = 0; i < 8; ++i)
        new_sender_reaches(bob, bob.bundle(first, first.one_time_pre_keys[i], first.one_time_kyber_pre_keys[i]),
                           "sender" + std::to_string(i));
    CHECK(keys.unused_counts().one_time_pre_keys == 4);
    CHECK(keys.run_schedule().empty());
    new_sender_reaches(bob, bob.bundle(first, first.one_time_pre_keys[8], first.one_time_kyber_pre_keys[8]), "ninth");

    const PreKeyUpload refill = keys.run_schedule();
    CHECK(refill.one_time_pre_keys.size() == 12);
    CHECK(refill.one_time_kyber_pre_keys.size() == 12);
    CHECK_FALSE(refill.signed_pre_key);
    CHECK(keys.unused_counts().one_time_pre_keys == 15);
    // No new id is one that was handed out before, used or not.
    std::set<std::uint32_t> handed_out;
    for (const auto& key : first.one_time_pre_keys) handed_out.insert(key.id);
    for (const auto& key : refill.one_time_pre_keys) CHECK(handed_out.insert(key.id).second);
}

TEST_CASE("ids count up from where they stopped and wrap within 24 bits, past ids still held", "[pre_key_manager]") {
    const bool durable = GENERATE(false, true);
    Bob bob(durable);
    bob.store->pre_keys().store_pre_key(PreKeyRecord::generate(1));
    bob.store->pre_key_metadata().store_pre_key_metadata(
        {.next_pre_key_id = kMaxManagedPreKeyId - 1,
         .next_signed_pre_key_id = 5,
         .next_kyber_pre_key_id = 0,
         .current_signed_pre_key_id = std::nullopt,
         .current_last_resort_kyber_pre_key_id = std::nullopt});
    PreKeyManager keys = bob.manager();
    std::vector<std::uint32_t> ids;
    for (const PublicPreKey& key : keys.generate_one_time_pre_keys(4)) ids.push_back(key.id);
    CHECK(ids == std::vector<std::uint32_t>{kMaxManagedPreKeyId - 1, kMaxManagedPreKeyId, 2, 3});
    // Kyber's counter held 0, which no id is: it starts at 1.
    CHECK(keys.generate_one_time_kyber_pre_keys(1)[0].id == 1);
    CHECK(keys.rotate_signed_pre_key().id == 5);
    CHECK(keys.rotate_last_resort_kyber_pre_key().id == 2);

    const PreKeyMetadata kept = *bob.store->pre_key_metadata().load_pre_key_metadata();
    CHECK(kept.next_pre_key_id == 4);
    CHECK(kept.next_signed_pre_key_id == 6);
    CHECK(kept.next_kyber_pre_key_id == 3);
    CHECK(kept.current_signed_pre_key_id == SignedPreKeyId{5});
    CHECK(kept.current_last_resort_kyber_pre_key_id == KyberPreKeyId{2});
    if (durable) {
        // The counters live in the file: a new manager after a reopen goes on.
        const std::string path = bob.dir.file("bob.db");
        bob.store.reset();
        bob.store = SqliteStore::open(path);
        CHECK(bob.manager().generate_one_time_pre_keys(1)[0].id == 4);
    }
}

TEST_CASE("the signed and last-resort keys rotate on schedule, and the old ones serve out their grace",
          "[pre_key_manager]") {
    Bob bob(GENERATE(false, true));
    PreKeyManager keys = bob.manager({.batch_size = 5, .replenish_below = 1, .rotation_interval = days{2},
                                      .grace_period = days{30}});
    const PreKeyUpload first = keys.run_schedule();
    // A sender fetched the first bundle (last-resort Kyber key, no one-time
    // keys left at the server) but sends only later.
    Device late("late", 9);
    late.start_session(bob.address, bob.bundle(first, std::nullopt));
    const CiphertextMessage delayed =
        SessionCipher(*late.store, late.address, bob.address).encrypt(as_bytes("sent before the rotation"));

    bob.now += days{1};
    CHECK(keys.run_schedule().empty());
    bob.now += days{1};
    const PreKeyUpload rotated = keys.run_schedule();
    REQUIRE(rotated.signed_pre_key);
    REQUIRE(rotated.last_resort_kyber_pre_key);
    CHECK(rotated.signed_pre_key->id != first.signed_pre_key->id);
    CHECK(rotated.last_resort_kyber_pre_key->id != first.last_resort_kyber_pre_key->id);
    CHECK(rotated.one_time_pre_keys.empty());
    CHECK(keys.upload_set().signed_pre_key->id == rotated.signed_pre_key->id);
    CHECK(bob.store->signed_pre_keys().signed_pre_key_ids().size() == 2);

    // Within the grace period the old keys still open what was sent with them.
    bob.now += days{29};
    (void)keys.run_schedule();
    CHECK(text_of(SessionCipher(*bob.store, bob.address, late.address).decrypt(delayed.type, delayed.bytes)) ==
          "sent before the rotation");
    CHECK(bob.store->signed_pre_keys().load_signed_pre_key(first.signed_pre_key->id));
    CHECK(bob.store->kyber_pre_keys().load_kyber_pre_key(first.last_resort_kyber_pre_key->id));

    // Thirty days after they were replaced, they are gone, and with them
    // every (signed pre-key, base key) the last-resort key remembered.
    bob.now += days{1};
    (void)keys.run_schedule();
    CHECK_FALSE(bob.store->signed_pre_keys().load_signed_pre_key(first.signed_pre_key->id));
    CHECK_FALSE(bob.store->kyber_pre_keys().load_kyber_pre_key(first.last_resort_kyber_pre_key->id));
    CHECK(bob.store->signed_pre_keys().load_signed_pre_key(keys.upload_set().signed_pre_key->id));
    if (auto* memory = dynamic_cast<MemoryProtocolStore*>(bob.store.get()))
        for (const auto& use : memory->kyber_pre_keys().uses())
            CHECK(std::get<0>(use).value() != first.last_resort_kyber_pre_key->id.value());
    // A message on the old keys is now refused, as a pre-key no longer held.
    Device later("later", 10);
    later.start_session(bob.address, bob.bundle(first, std::nullopt));
    const CiphertextMessage stale = SessionCipher(*later.store, later.address, bob.address).encrypt(as_bytes("x"));
    CHECK(error_of([&] {
              (void)SessionCipher(*bob.store, bob.address, later.address).decrypt(stale.type, stale.bytes);
          }) == ErrorCode::invalid_pre_key);
}

TEST_CASE("an id already held is never replaced, in either store", "[pre_key_manager][refusal]") {
    Bob bob(GENERATE(false, true));
    const IdentityKeyPair& identity = bob.store->identities().identity_key_pair();
    const auto pre_key = PreKeyRecord::generate(7);
    const auto signed_pre_key = SignedPreKeyRecord::generate(7, identity, kStart);
    const auto kyber = KyberPreKeyRecord::generate(7, identity, kStart);
    bob.store->pre_keys().store_pre_key(pre_key);
    bob.store->signed_pre_keys().store_signed_pre_key(signed_pre_key);
    bob.store->kyber_pre_keys().store_kyber_pre_key(kyber, KyberPreKeyKind::one_time);

    CHECK(error_of([&] { bob.store->pre_keys().store_pre_key(PreKeyRecord::generate(7)); }) ==
          ErrorCode::invalid_argument);
    CHECK(error_of([&] {
              bob.store->signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(7, identity, kStart));
          }) == ErrorCode::invalid_argument);
    for (const KyberPreKeyKind kind : {KyberPreKeyKind::one_time, KyberPreKeyKind::last_resort})
        CHECK(error_of([&] {
                  bob.store->kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(7, identity, kStart),
                                                                  kind);
              }) == ErrorCode::invalid_argument);
    CHECK(bob.store->pre_keys().load_pre_key(7)->serialize() == pre_key.serialize());
    CHECK(bob.store->signed_pre_keys().load_signed_pre_key(7)->serialize() == signed_pre_key.serialize());
    CHECK(bob.store->kyber_pre_keys().load_kyber_pre_key(7)->serialize() == kyber.serialize());
    CHECK(bob.store->kyber_pre_keys().kyber_pre_keys() ==
          std::vector<KyberPreKeyEntry>{{7, KyberPreKeyKind::one_time}});
    // Removed, an id can be stored again.
    bob.store->pre_keys().remove_pre_key(7);
    bob.store->pre_keys().store_pre_key(PreKeyRecord::generate(7));
}
