// StagedSessions, which holds back an operation's session writes until it
// has finished (sealed_sender_encrypt seals before the session steps).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/session.hpp"
#include "protocol/session/staged_sessions.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;

namespace {

std::string serialized(const std::optional<SessionRecord>& record) {
    REQUIRE(record);
    const SecretBytes bytes = record->serialize();
    return to_hex(bytes.span());
}

}  // namespace

TEST_CASE("staged session writes are read back at once and reach the store only at commit", "[staged_sessions]") {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    const Device bob2 = cliquet::testing::linked_device(bob, 2, 3333);
    Device carol{"carol", 4444};
    alice.start_session(bob.address, bob.bundle(1, 2, 3));
    alice.start_session(bob2.address, cliquet::testing::publish_bundle(*bob2.store, 2, 4, 5, 6));
    alice.start_session(carol.address, carol.bundle(7, 8, 9));
    const std::string before = alice.snapshot();
    const std::string stored_bob = serialized(alice.store->sessions().load_session(bob.address));

    protocol::StagedSessions staged(*alice.store);
    SessionStore& sessions = staged.sessions();
    // Every store but the sessions is the real one.
    CHECK(&staged.identities() == &alice.store->identities());
    CHECK(&staged.pre_keys() == &alice.store->pre_keys());
    CHECK(&staged.signed_pre_keys() == &alice.store->signed_pre_keys());
    CHECK(&staged.kyber_pre_keys() == &alice.store->kyber_pre_keys());
    CHECK(&staged.sender_keys() == &alice.store->sender_keys());
    CHECK(&staged.pre_key_metadata() == &alice.store->pre_key_metadata());
    CHECK(&sessions != &alice.store->sessions());
    // An encryption through it: its step is visible through it, not in the store.
    const CiphertextMessage message =
        SessionCipher(staged, alice.address, bob.address, alice.options).encrypt(as_bytes("staged"));
    const std::string stepped_bob = serialized(sessions.load_session(bob.address));
    CHECK(stepped_bob != stored_bob);
    CHECK(alice.snapshot() == before);
    CHECK(sessions.session_device_ids("bob") == std::vector<std::uint32_t>{1, 2});

    // Deletions and a new record, each read back through it.
    sessions.delete_session(carol.address);
    CHECK_FALSE(sessions.load_session(carol.address));
    CHECK(sessions.session_device_ids("carol").empty());
    const ProtocolAddress dave{"dave", 7};
    const std::string stored_bob2 = serialized(alice.store->sessions().load_session(bob2.address));
    sessions.store_session(dave, *alice.store->sessions().load_session(bob2.address));
    CHECK(sessions.session_device_ids("dave") == std::vector<std::uint32_t>{7});
    CHECK(sessions.delete_all_sessions("bob") == 2);
    CHECK(sessions.session_device_ids("bob").empty());
    CHECK_FALSE(sessions.load_session(bob.address));
    CHECK(sessions.delete_all_sessions("nobody") == 0);
    CHECK(alice.snapshot() == before);

    staged.commit();
    SessionStore& stored = alice.store->sessions();
    CHECK_FALSE(stored.load_session(carol.address));
    CHECK(stored.session_device_ids("bob").empty());
    CHECK(stored.session_device_ids("dave") == std::vector<std::uint32_t>{7});
    CHECK(serialized(stored.load_session(dave)) == stored_bob2);
    // What was encrypted through it is a message Bob reads.
    CHECK(bob.decrypt_from(alice, message) == "staged");
}

TEST_CASE("an encryption staged and committed is the one the peer decrypts next", "[staged_sessions]") {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    alice.start_session(bob.address, bob.bundle(1, 2, 3));
    protocol::StagedSessions staged(*alice.store);
    const CiphertextMessage first =
        SessionCipher(staged, alice.address, bob.address, alice.options).encrypt(as_bytes("first"));
    // Read back through it, the session has stepped: the next message is the second.
    const CiphertextMessage second =
        SessionCipher(staged, alice.address, bob.address, alice.options).encrypt(as_bytes("second"));
    staged.commit();
    CHECK(bob.decrypt_from(alice, first) == "first");
    CHECK(bob.decrypt_from(alice, second) == "second");
    // The store holds the step of both: Alice's next message follows them.
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "third")) == "third");
    CHECK(cliquet::testing::error_of([&] { (void)bob.decrypt_from(alice, second); }) == ErrorCode::duplicate_message);
}
