// MemoryProtocolStore's replacements and removals, in and out of a unit:
// a replaced record that a failed unit puts back, removals of what is not
// there, names that sort after every other, a Kyber key's uses removed with
// it and no other key's.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "cliquet/cliquet.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

constexpr DistributionId kGroup = {7};

// Runs `writes` in a unit of `store` that then fails.
void in_failed_unit(MemoryProtocolStore& store, const std::function<void()>& writes) {
    CHECK_THROWS_AS(store.run_atomically([&] {
        writes();
        throw std::runtime_error("the unit fails after its writes");
    }),
                    std::runtime_error);
}

std::string session_bytes(MemoryProtocolStore& store, const ProtocolAddress& address) {
    const SecretBytes bytes = store.sessions().load_session(address)->serialize();
    return to_hex(bytes.span());
}

}  // namespace

TEST_CASE("a record replaced in a unit that fails is put back, and replaced outside one it stays replaced",
          "[memory_store]") {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    alice.start_session(bob.address, bob.bundle(1, 2, 3));
    MemoryProtocolStore& store = *alice.store;
    const ProtocolAddress carol{"carol", 1};
    store.sender_keys().store_sender_key(carol, kGroup, Bytes{1, 2, 3});
    const IdentityKey other = IdentityKeyPair::generate().public_key();
    const std::string before = store_snapshot(store);
    const std::string first_session = session_bytes(store, bob.address);

    // A second state for Bob: what the store then holds for him is new.
    SessionRecord replaced = *store.sessions().load_session(bob.address);
    replaced.archive_current_state();
    in_failed_unit(store, [&] {
        store.sessions().store_session(bob.address, replaced);
        store.sender_keys().store_sender_key(carol, kGroup, Bytes{4, 5, 6});
        (void)store.identities().save_identity(bob.address, other);
    });
    CHECK(store_snapshot(store) == before);

    store.sessions().store_session(bob.address, replaced);
    store.sender_keys().store_sender_key(carol, kGroup, Bytes{4, 5, 6});
    CHECK(store.identities().save_identity(bob.address, other) == IdentityChange::replaced);
    CHECK(session_bytes(store, bob.address) != first_session);
    CHECK(to_hex(store.sender_keys().load_sender_key(carol, kGroup)->span()) == "040506");
    CHECK(*store.identities().identity(bob.address) == other);
}

TEST_CASE("removing what a store does not hold changes nothing, in a unit or out of one", "[memory_store]") {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    alice.start_session(bob.address, bob.bundle(1, 2, 3));
    (void)alice.bundle(4, 5, 6);
    MemoryProtocolStore& store = *alice.store;
    const std::string before = store_snapshot(store);
    const auto remove_absent = [&] {
        store.pre_keys().remove_pre_key(PreKeyId{99});
        store.signed_pre_keys().remove_signed_pre_key(SignedPreKeyId{99});
        store.kyber_pre_keys().remove_kyber_pre_key(KyberPreKeyId{99});
        store.sessions().delete_session(ProtocolAddress{"bob", 9});
        store.sender_keys().delete_sender_key(bob.address, kGroup);
        // Names after every name held: nothing of theirs.
        CHECK(store.sessions().session_device_ids("zed").empty());
        CHECK(store.sessions().delete_all_sessions("zed") == 0);
    };
    remove_absent();
    CHECK(store_snapshot(store) == before);
    store.run_atomically(remove_absent);
    CHECK(store_snapshot(store) == before);
    // The last name held is found to the end of the store.
    CHECK(store.sessions().session_device_ids("bob") == std::vector<std::uint32_t>{1});
}

TEST_CASE("removing a last-resort Kyber key forgets its uses, and no other key's", "[memory_store]") {
    Device bob{"bob", 2222};
    (void)bob.bundle(1, 2, 3, system_random(), KyberPreKeyKind::last_resort);
    (void)bob.bundle(4, 5, 6, system_random(), KyberPreKeyKind::last_resort);
    KyberPreKeyStore& kyber = bob.store->kyber_pre_keys();
    const PublicKey base_key = KeyPair::generate().public_key;
    kyber.mark_kyber_pre_key_used(KyberPreKeyId{3}, SignedPreKeyId{2}, base_key);
    kyber.mark_kyber_pre_key_used(KyberPreKeyId{6}, SignedPreKeyId{5}, base_key);
    kyber.remove_kyber_pre_key(KyberPreKeyId{3});
    CHECK(kyber.kyber_pre_keys().size() == 1);
    // Key 6 still remembers its use.
    CHECK(error_of([&] { kyber.mark_kyber_pre_key_used(KyberPreKeyId{6}, SignedPreKeyId{5}, base_key); }) ==
          ErrorCode::invalid_message);
}
