// PqRatchetPolicy::require, the default, refuses every way a session could
// start without post-quantum protection: a server that strips the Kyber
// pre-key from a bundle gets nothing, and neither does a version-3 pre-key
// message. `offer` still accepts both, for applications that opt in.
#include <catch2/catch.hpp>

#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

// Bob's bundle as a server that removed its Kyber pre-key would serve it.
PreKeyBundle stripped_of_kyber(PreKeyBundle bundle) {
    bundle.kyber_pre_key_id.reset();
    bundle.kyber_pre_key.reset();
    bundle.kyber_pre_key_signature.reset();
    return bundle;
}

}  // namespace

TEST_CASE("require is the default", "[session][policy]") {
    CHECK(SessionOptions{}.pq_ratchet == PqRatchetPolicy::require);
}

TEST_CASE("under require a bundle without a Kyber pre-key starts nothing", "[session][policy]") {
    Device alice("alice", 1), bob("bob", 2);
    const PreKeyBundle stripped = stripped_of_kyber(bob.bundle(1, 1, 1));
    const std::string untouched = alice.snapshot();
    CHECK_THROWS_WITH(alice.start_session(bob.address, stripped), Catch::Contains("PqRatchetPolicy::require"));
    CHECK(error_of([&] { alice.start_session(bob.address, stripped); }) == ErrorCode::unsupported);
    CHECK(alice.snapshot() == untouched);
    // The same call through the overload without options: the default.
    CHECK(error_of([&] { process_pre_key_bundle(*alice.store, bob.address, stripped); }) == ErrorCode::unsupported);

    alice.options.pq_ratchet = PqRatchetPolicy::offer;
    alice.start_session(bob.address, stripped);
    CHECK(alice.store->sessions().load_session(bob.address)->session_version() == 3);
}

TEST_CASE("under require a version-3 pre-key message is refused and consumes nothing", "[session][policy]") {
    Device alice("alice", 1), bob("bob", 2);
    alice.options.pq_ratchet = PqRatchetPolicy::offer;
    alice.start_session(bob.address, stripped_of_kyber(bob.bundle(1, 1, 1)));
    const CiphertextMessage x3dh = alice.encrypt_to(bob, "downgraded");
    REQUIRE(PreKeySignalMessage::deserialize(x3dh.bytes).message_version() == 3);

    const std::string untouched = bob.snapshot();
    CHECK_THROWS_WITH(bob.decrypt_from(alice, x3dh), Catch::Contains("PqRatchetPolicy::require"));
    CHECK(error_of([&] { bob.decrypt_from(alice, x3dh); }) == ErrorCode::invalid_message);
    CHECK(bob.snapshot() == untouched);

    // An application that opted in reads it, with the one-time pre-key.
    bob.options.pq_ratchet = PqRatchetPolicy::offer;
    CHECK(bob.decrypt_from(alice, x3dh) == "downgraded");
    CHECK(bob.store->pre_keys().all().empty());

    // A session set up while the policy allowed it keeps working under require.
    bob.options.pq_ratchet = PqRatchetPolicy::require;
    CHECK(alice.decrypt_from(bob, bob.encrypt_to(alice, "reply")) == "reply");
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "and on")) == "and on");
    // Its replay is found by its base key before the policy is asked: a duplicate.
    CHECK(error_of([&] { bob.decrypt_from(alice, x3dh); }) == ErrorCode::duplicate_message);
}
