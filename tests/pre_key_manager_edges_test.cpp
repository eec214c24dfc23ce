// PreKeyManager on stores it did not fill itself: counters an app set out of
// the manager's range or onto ids already held, keys an app stored before it
// adopted the manager, and an upload set asked for before the first run or
// after its current keys were removed.
#include <catch2/catch.hpp>

#include <set>

#include "cliquet/cliquet.hpp"
#include "cliquet/pre_key_manager.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using std::chrono::days;

namespace {

constexpr Timestamp kStart = timestamp_from_unix_ms(1'767'225'600'000);  // 2026-01-01

struct Keys {
    MemoryProtocolStore store{IdentityKeyPair::generate(), 2};
    Timestamp now = kStart;
    PreKeyManager manager(PreKeySchedule schedule = {}) {
        return PreKeyManager(store, schedule, system_random(), [this] { return now; });
    }
    const IdentityKeyPair& identity() { return store.identities().identity_key_pair(); }
    void set_counters(std::uint32_t pre_key, std::uint32_t signed_pre_key, std::uint32_t kyber) {
        store.pre_key_metadata().store_pre_key_metadata({.next_pre_key_id = pre_key,
                                                         .next_signed_pre_key_id = signed_pre_key,
                                                         .next_kyber_pre_key_id = kyber,
                                                         .current_signed_pre_key_id = std::nullopt,
                                                         .current_last_resort_kyber_pre_key_id = std::nullopt});
    }
};

}  // namespace

TEST_CASE("counters past the managed range are brought into it, and ids held are passed over, for every kind",
          "[pre_key_manager]") {
    Keys keys;
    keys.store.signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(7, keys.identity(), kStart));
    keys.store.kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(9, keys.identity(), kStart),
                                                     KyberPreKeyKind::one_time);
    // 2^32 - 1 is (2^32 - 1) mod (2^24 - 1) + 1 = 256 in the managed range.
    keys.set_counters(0xFFFFFFFF, 7, 9);
    PreKeyManager manager = keys.manager();
    CHECK(manager.generate_one_time_pre_keys(1)[0].id == 256);
    // The counters name ids held already: the next free ones are taken.
    CHECK(manager.rotate_signed_pre_key().id == 8);
    CHECK(manager.generate_one_time_kyber_pre_keys(1)[0].id == 10);
    CHECK(manager.rotate_last_resort_kyber_pre_key().id == 11);
    // The keys held before are still there, untouched.
    CHECK(keys.store.signed_pre_keys().load_signed_pre_key(7));
    CHECK(keys.store.kyber_pre_keys().load_kyber_pre_key(9));
    const PreKeyMetadata kept = *keys.store.pre_key_metadata().load_pre_key_metadata();
    CHECK(kept.next_pre_key_id == 257);
    CHECK(kept.next_signed_pre_key_id == 9);
    CHECK(kept.next_kyber_pre_key_id == 12);
}

TEST_CASE("keys an app stored before it adopted the manager are replaced by a current one and retired after grace",
          "[pre_key_manager]") {
    Keys keys;
    // Two signed pre-keys made at the same moment, and metadata naming
    // neither as current (its counters past their ids).
    keys.store.signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(3, keys.identity(), kStart));
    keys.store.signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(4, keys.identity(), kStart));
    keys.set_counters(100, 100, 100);
    PreKeyManager manager = keys.manager({.batch_size = 2, .replenish_below = 1, .rotation_interval = days{2},
                                          .grace_period = days{30}});
    const PreKeyUpload first = manager.run_schedule();
    REQUIRE(first.signed_pre_key);
    const SignedPreKeyId current = first.signed_pre_key->id;
    CHECK(current.value() == 100);
    // Key 3 counts as replaced by key 4 (the same age, so the lower id
    // first), and key 4 by the new current key: both serve out the grace
    // period, counted from now.
    keys.now += days{1};
    (void)manager.run_schedule();
    CHECK(keys.store.signed_pre_keys().signed_pre_key_ids().size() == 3);
    keys.now += days{30};
    (void)manager.run_schedule();
    const std::vector<SignedPreKeyId> held = keys.store.signed_pre_keys().signed_pre_key_ids();
    std::set<std::uint32_t> ids;
    for (const SignedPreKeyId id : held) ids.insert(id.value());
    CHECK(ids.count(3) == 0);
    CHECK(ids.count(4) == 0);
    // The current key was rotated just now: it serves out its own grace.
    CHECK(ids.count(current.value()) == 1);
    CHECK(ids.size() == 2);
}

TEST_CASE("the upload set holds only what is stored: nothing current before the first run or once removed",
          "[pre_key_manager]") {
    Keys keys;
    // An app's own one-time keys, before any run: listed; no current keys.
    keys.store.pre_keys().store_pre_key(PreKeyRecord::generate(5));
    PreKeyManager manager = keys.manager();
    PreKeyUpload before = manager.upload_set();
    CHECK_FALSE(before.signed_pre_key);
    CHECK_FALSE(before.last_resort_kyber_pre_key);
    REQUIRE(before.one_time_pre_keys.size() == 1);
    CHECK(before.one_time_pre_keys[0].id == 5);

    // Metadata without current keys: none either.
    keys.set_counters(1, 1, 1);
    CHECK_FALSE(manager.upload_set().signed_pre_key);
    CHECK_FALSE(manager.upload_set().last_resort_kyber_pre_key);

    // Current keys removed by the app: the set leaves them out rather than
    // name keys that are gone.
    const PreKeyUpload first = manager.run_schedule();
    REQUIRE(first.signed_pre_key);
    REQUIRE(first.last_resort_kyber_pre_key);
    keys.store.signed_pre_keys().remove_signed_pre_key(first.signed_pre_key->id);
    keys.store.kyber_pre_keys().remove_kyber_pre_key(first.last_resort_kyber_pre_key->id);
    const PreKeyUpload after = manager.upload_set();
    CHECK_FALSE(after.signed_pre_key);
    CHECK_FALSE(after.last_resort_kyber_pre_key);
    CHECK(after.one_time_pre_keys.size() == first.one_time_pre_keys.size() + 1);
}
