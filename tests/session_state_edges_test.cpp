// Session states at their edges: stored states whose chains or keys another
// program wrote wrong, a sending chain stored without its ratchet key, and
// the bound on archived states, whose oldest goes when a new one comes.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "cliquet/cliquet.hpp"
#include "session_helpers.hpp"
#include "storage.pb.h"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

std::string string_of(const SecretBytes& bytes) { return std::string(bytes.data(), bytes.data() + bytes.size()); }

// Alice's session with Bob (version 3), answered, so that her state has a
// sending chain and a receiving one.
struct Answered {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    Answered() { cliquet::testing::start_answered(alice, bob, 3); }
    proto::storage::RecordStructure alice_record() const {
        proto::storage::RecordStructure structure;
        REQUIRE(structure.ParseFromString(string_of(alice.store->sessions().load_session(bob.address)->serialize())));
        REQUIRE(structure.current_session().receiver_chains_size() > 0);
        return structure;
    }
};

}  // namespace

TEST_CASE("a stored state with a chain or key another program wrote wrong is storage", "[session][record][foreign]") {
    const Answered pair;
    using Session = proto::storage::SessionStructure;
    const auto refused = [&](const std::function<void(Session&)>& damage) {
        proto::storage::RecordStructure structure = pair.alice_record();
        damage(*structure.mutable_current_session());
        CHECK(error_of([&] { (void)SessionRecord::deserialize(as_bytes(structure.SerializeAsString())); }) ==
              ErrorCode::storage);
    };
    // A receiving chain's ratchet key that is no key.
    refused([](Session& s) { s.mutable_receiver_chains(0)->set_sender_ratchet_key(std::string(33, '\x07')); });
    // A receiving chain without its chain key.
    refused([](Session& s) { s.mutable_receiver_chains(0)->clear_chain_key(); });
    // A chain key of the wrong length.
    refused([](Session& s) { s.mutable_receiver_chains(0)->mutable_chain_key()->set_key(std::string(31, '\x07')); });
    // Alice's base key longer than any key.
    refused([](Session& s) { s.set_alice_base_key(std::string(34, '\x05')); });
}

TEST_CASE("a sending chain stored without its ratchet key is no sending chain: nothing is sent on it",
          "[session][record][foreign]") {
    Answered pair;
    proto::storage::RecordStructure structure = pair.alice_record();
    structure.mutable_current_session()->mutable_sender_chain()->clear_sender_ratchet_key();
    const SessionRecord record = SessionRecord::deserialize(as_bytes(structure.SerializeAsString()));
    // A state that cannot send counts as none, as in libsignal.
    CHECK_FALSE(record.has_current_state());
    pair.alice.store->sessions().store_session(pair.bob.address, record);
    const std::string before = pair.alice.snapshot();
    CHECK(error_of([&] { (void)pair.alice.encrypt_to(pair.bob, "x"); }) == ErrorCode::no_session);
    CHECK(pair.alice.snapshot() == before);
}

TEST_CASE("past 40 archived states the oldest goes, and its late messages with it", "[session][record]") {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    alice.allow_version(3);
    bob.allow_version(3);
    alice.start_session(bob.address, bob.bundle(1, 1, std::nullopt));
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "first")) == "first");
    // Bob's answer on that first session, delivered late.
    const CiphertextMessage late = bob.encrypt_to(alice, "late");

    // Forty new sessions: the first is the oldest archived state, still kept.
    for (std::uint32_t id = 2; id <= 41; ++id) alice.start_session(bob.address, bob.bundle(id, id, std::nullopt));
    CHECK(alice.store->sessions().load_session(bob.address)->archived_state_count() == 40);
    {
        MemoryProtocolStore copy = *alice.store;
        const Bytes plaintext =
            SessionCipher(copy, alice.address, bob.address, alice.options).decrypt(late.type, late.bytes);
        CHECK(std::string(plaintext.begin(), plaintext.end()) == "late");
    }
    // One more: the first goes, and its message with it.
    alice.start_session(bob.address, bob.bundle(42, 42, std::nullopt));
    CHECK(alice.store->sessions().load_session(bob.address)->archived_state_count() == 40);
    const std::string before = alice.snapshot();
    CHECK(error_of([&] { (void)alice.decrypt_from(bob, late); }) == ErrorCode::invalid_message);
    CHECK(alice.snapshot() == before);
}

TEST_CASE("a replay of a message an archived state read is a duplicate, and changes nothing", "[session][record]") {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    alice.start_session(bob.address, bob.bundle(1, 1, 1));
    const CiphertextMessage first = alice.encrypt_to(bob, "first");
    REQUIRE(bob.decrypt_from(alice, first) == "first");
    // Alice starts over (a reinstall that kept her identity key): Bob's
    // first state is archived.
    Device reinstalled = cliquet::testing::linked_device(alice, 1, 1111);
    reinstalled.start_session(bob.address, bob.bundle(2, 2, 2));
    REQUIRE(bob.decrypt_from(reinstalled, reinstalled.encrypt_to(bob, "again")) == "again");
    REQUIRE(bob.store->sessions().load_session(alice.address)->archived_state_count() == 1);

    // The first message again: the current state cannot read it, the
    // archived one has read it already.
    const std::string before = bob.snapshot();
    CHECK(error_of([&] { (void)bob.decrypt_from(alice, first); }) == ErrorCode::duplicate_message);
    CHECK(bob.snapshot() == before);
}
