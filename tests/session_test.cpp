#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;

namespace {

std::optional<KyberPreKeyId> kyber_for(int version) {
    return version == 4 ? std::optional<KyberPreKeyId>(7) : std::nullopt;
}

}  // namespace

TEST_CASE("X3DH and PQXDH sessions ping-pong", "[session]") {
    const int version = GENERATE(3, 4);
    const bool with_one_time = GENERATE(true, false);
    Device alice("alice", 11), bob("bob", 22);
    alice.allow_version(version);
    bob.allow_version(version);
    alice.start_session(bob.address,
                        bob.bundle(with_one_time ? std::optional<PreKeyId>(5) : std::nullopt, 9, kyber_for(version)));
    CHECK(alice.store->sessions().load_session(bob.address)->session_version() == version);

    // Pre-key messages until Bob answers.
    for (int i = 0; i < 3; ++i) {
        const auto message = alice.encrypt_to(bob, "hello " + std::to_string(i));
        CHECK(message.type == CiphertextType::pre_key);
        CHECK(message.bytes[0] == (version == 3 ? 0x33 : 0x44));
        CHECK(bob.decrypt_from(alice, message) == "hello " + std::to_string(i));
    }
    CHECK(bob.store->pre_keys().all().empty());
    for (int round = 0; round < 5; ++round) {
        const auto reply = bob.encrypt_to(alice, std::string(static_cast<std::size_t>(round * 100), 'b'));
        CHECK(reply.type == CiphertextType::whisper);
        CHECK(alice.decrypt_from(bob, reply) == std::string(static_cast<std::size_t>(round * 100), 'b'));
        const auto next = alice.encrypt_to(bob, "round " + std::to_string(round));
        CHECK(next.type == CiphertextType::whisper);
        CHECK(bob.decrypt_from(alice, next) == "round " + std::to_string(round));
    }
    CHECK(alice.store->identities().identity(bob.address) == bob.identity().public_key());
    CHECK(bob.store->identities().identity(alice.address) == alice.identity().public_key());
}

TEST_CASE("messages delivered out of order within and across ratchet steps", "[session]") {
    const int version = GENERATE(3, 4);
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(version);
    bob.allow_version(version);
    alice.start_session(bob.address, bob.bundle(1, 1, kyber_for(version)));
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "first")) == "first");

    std::vector<std::pair<CiphertextMessage, std::string>> in_flight;
    for (int step = 0; step < 3; ++step) {
        for (int i = 0; i < 4; ++i) {
            const std::string text = "b" + std::to_string(step) + "." + std::to_string(i);
            in_flight.emplace_back(bob.encrypt_to(alice, text), text);
        }
        // Alice answers one message of the step, so Bob's next batch is on a new chain.
        const std::size_t first_of_step = in_flight.size() - 4;
        CHECK(alice.decrypt_from(bob, in_flight[first_of_step + 2].first) == in_flight[first_of_step + 2].second);
        in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(first_of_step + 2));
        CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "ack")) == "ack");
    }
    std::reverse(in_flight.begin(), in_flight.end());
    for (const auto& [message, text] : in_flight) CHECK(alice.decrypt_from(bob, message) == text);
    // Every one of them is now a duplicate.
    for (const auto& entry : in_flight)
        CHECK(cliquet::testing::error_of([&] { alice.decrypt_from(bob, entry.first); }) == ErrorCode::duplicate_message);
}

TEST_CASE("1500 skipped messages then delivered", "[session]") {
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(3);
    bob.allow_version(3);
    alice.start_session(bob.address, bob.bundle(std::nullopt, 1, std::nullopt));
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "hi")) == "hi");
    std::vector<CiphertextMessage> held;
    for (int i = 0; i < 1500; ++i) held.push_back(bob.encrypt_to(alice, std::to_string(i)));
    const auto last = bob.encrypt_to(alice, "last");
    CHECK(alice.decrypt_from(bob, last) == "last");
    for (int i = 1499; i >= 0; --i) CHECK(alice.decrypt_from(bob, held[static_cast<std::size_t>(i)]) == std::to_string(i));
}

TEST_CASE("a new bundle archives the old session and a late message promotes it back", "[session]") {
    const int version = GENERATE(3, 4);
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(version);
    bob.allow_version(version);
    alice.start_session(bob.address, bob.bundle(1, 1, kyber_for(version)));
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "one")) == "one");
    CHECK(alice.decrypt_from(bob, bob.encrypt_to(alice, "two")) == "two");
    const auto late = bob.encrypt_to(alice, "late");

    // Alice restarts from a fresh bundle; Bob accepts the new session.
    alice.start_session(bob.address, bob.bundle(2, 2, kyber_for(version)));
    CHECK(alice.store->sessions().load_session(bob.address)->archived_state_count() == 1);
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "fresh")) == "fresh");
    CHECK(bob.store->sessions().load_session(alice.address)->archived_state_count() == 1);

    const auto on_new = bob.encrypt_to(alice, "on new");

    // The late message of the old session still decrypts and makes it current.
    CHECK(alice.decrypt_from(bob, late) == "late");
    CHECK(alice.store->sessions().load_session(bob.address)->archived_state_count() == 1);
    // Alice now sends on the old session; Bob's archived old state takes it.
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "on old")) == "on old");
    // Alice's new state, tried first for "late" and refused, is intact.
    CHECK(alice.decrypt_from(bob, on_new) == "on new");
    CHECK(alice.decrypt_from(bob, bob.encrypt_to(alice, "reply")) == "reply");
}

TEST_CASE("simultaneous initiation converges", "[session]") {
    const int version = GENERATE(3, 4);
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(version);
    bob.allow_version(version);
    alice.start_session(bob.address, bob.bundle(1, 1, kyber_for(version)));
    bob.start_session(alice.address, alice.bundle(1, 1, kyber_for(version)));
    const auto from_alice = alice.encrypt_to(bob, "from alice");
    const auto from_bob = bob.encrypt_to(alice, "from bob");
    CHECK(from_alice.type == CiphertextType::pre_key);
    CHECK(from_bob.type == CiphertextType::pre_key);
    CHECK(bob.decrypt_from(alice, from_alice) == "from alice");
    CHECK(alice.decrypt_from(bob, from_bob) == "from bob");

    for (int i = 0; i < 3; ++i) {
        CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "a" + std::to_string(i))) == "a" + std::to_string(i));
        CHECK(alice.decrypt_from(bob, bob.encrypt_to(alice, "b" + std::to_string(i))) == "b" + std::to_string(i));
    }
    // Both have settled on one session: no more pre-key messages either way.
    CHECK(alice.encrypt_to(bob, "x").type == CiphertextType::whisper);
    CHECK(bob.encrypt_to(alice, "y").type == CiphertextType::whisper);
}

TEST_CASE("session records round-trip through their storage format", "[session]") {
    Device alice("alice", 1), bob("bob", 2);
    alice.start_session(bob.address, bob.bundle(1, 1, 3));
    CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "one")) == "one");
    const auto held = bob.encrypt_to(alice, "held");
    CHECK(alice.decrypt_from(bob, bob.encrypt_to(alice, "two")) == "two");
    alice.start_session(bob.address, bob.bundle(2, 2, 4));

    const SessionRecord record = *alice.store->sessions().load_session(bob.address);
    const SecretBytes bytes = record.serialize();
    const SessionRecord restored = SessionRecord::deserialize(bytes.span());
    CHECK(restored.serialize() == bytes);
    CHECK(restored.session_version() == 4);
    CHECK(restored.archived_state_count() == 1);
    CHECK(restored.remote_identity_key() == bob.identity().public_key());
    alice.store->sessions().store_session(bob.address, restored);
    CHECK(alice.decrypt_from(bob, held) == "held");

    CHECK(cliquet::testing::error_of([] {
              (void)SessionRecord::deserialize(Bytes{0x0a, 0x05, 0x08});
          }) == ErrorCode::storage);
    // 40 archived states are the most a record holds; 41 are refused unparsed.
    Bytes archived;
    for (int i = 0; i < 40; ++i) archived.insert(archived.end(), {0x12, 0x00});
    CHECK(SessionRecord::deserialize(archived).archived_state_count() == 40);
    archived.insert(archived.end(), {0x12, 0x00});
    CHECK(cliquet::testing::error_of([&] { (void)SessionRecord::deserialize(archived); }) == ErrorCode::storage);
    // Wire types protobuf-lite would skip but libsignal never writes (groups).
    CHECK(cliquet::testing::error_of([] {
              (void)SessionRecord::deserialize(Bytes{0x13, 0x14});
          }) == ErrorCode::storage);
    // A state of a version cliquet does not know.
    CHECK(cliquet::testing::error_of([] {
              (void)SessionRecord::deserialize(Bytes{0x0a, 0x02, 0x08, 0x05});
          }) == ErrorCode::storage);
}
