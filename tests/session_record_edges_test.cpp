// SessionRecord at its edges: copies, the timestamps of a record with and
// without a state, stored bytes with fields cliquet does not know or a
// varint that never ends, a version 3 state holding SPQR state, and the
// oldest skipped keys dropped past the limit.
#include <catch2/catch.hpp>

#include <string>

#include "cliquet/cliquet.hpp"
#include "session_helpers.hpp"
#include "storage.pb.h"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

std::string bytes_of(const SessionRecord& record) {
    const SecretBytes bytes = record.serialize();
    return std::string(bytes.data(), bytes.data() + bytes.size());
}

SessionRecord record_of(const std::string& bytes) { return SessionRecord::deserialize(as_bytes(bytes)); }

// Alice has a session with Bob, which Bob has answered (version `version`).
struct Answered {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    explicit Answered(int version) {
        alice.allow_version(version);
        bob.allow_version(version);
        alice.start_session(bob.address, bob.bundle(1, 2, version == 4 ? std::optional<KyberPreKeyId>(3) : std::nullopt));
        REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "hello")) == "hello");
        REQUIRE(alice.decrypt_from(bob, bob.encrypt_to(alice, "hi")) == "hi");
    }
    SessionRecord alice_record() const { return *alice.store->sessions().load_session(bob.address); }
};

}  // namespace

TEST_CASE("a copied session record is the same record, and assigning it to itself changes nothing", "[session][record]") {
    const Answered pair(4);
    const SessionRecord record = pair.alice_record();
    SessionRecord copy;
    copy = record;
    CHECK(bytes_of(copy) == bytes_of(record));
    const SessionRecord& same = copy;
    copy = same;
    CHECK(bytes_of(copy) == bytes_of(record));
}

TEST_CASE("a record's timestamps are its current state's, and none without one", "[session][record]") {
    const SessionRecord empty;
    CHECK_FALSE(empty.created_at());
    CHECK_FALSE(empty.peer_answered_at());

    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    alice.start_session(bob.address, bob.bundle(1, 2, 3));
    const SessionRecord unanswered = *alice.store->sessions().load_session(bob.address);
    REQUIRE(unanswered.created_at());
    CHECK_FALSE(unanswered.peer_answered_at());

    const Answered pair(4);
    const SessionRecord answered = pair.alice_record();
    REQUIRE(answered.peer_answered_at());
    CHECK(*answered.peer_answered_at() >= *answered.created_at());
}

TEST_CASE("stored fields cliquet does not know are skipped, and a varint that never ends is refused", "[session][record]") {
    const Answered pair(3);
    const std::string stored = bytes_of(pair.alice_record());
    // Field 9 as a varint, field 10 as 8 bytes, field 11 as 4 bytes.
    const std::string unknown = std::string("\x48\x96\x01", 3) + std::string("\x51", 1) + std::string(8, '\x07') +
                                std::string("\x5d", 1) + std::string(4, '\x09');
    const SessionRecord extended = record_of(stored + unknown);
    CHECK(extended.remote_registration_id() == pair.alice_record().remote_registration_id());
    CHECK(extended.has_current_state());

    // Eleven bytes with the continuation bit: no varint is that long.
    CHECK(error_of([&] { (void)record_of(stored + "\x48" + std::string(11, '\x80')); }) == ErrorCode::storage);
    // A fixed-width field cut short.
    CHECK(error_of([&] { (void)record_of(stored + std::string("\x51\x01\x02", 3)); }) == ErrorCode::storage);
}

TEST_CASE("a version 3 session state that holds SPQR state is refused", "[session][record]") {
    const Answered pair(3);
    proto::storage::RecordStructure structure;
    REQUIRE(structure.ParseFromString(bytes_of(pair.alice_record())));
    REQUIRE(structure.current_session().session_version() == 3);
    structure.mutable_current_session()->set_pq_ratchet_state("spqr");
    CHECK(error_of([&] { (void)record_of(structure.SerializeAsString()); }) == ErrorCode::storage);
}

TEST_CASE("past 2000 skipped keys in a chain, the oldest are dropped and their messages refused", "[session][record]") {
    Answered pair(3);
    std::vector<CiphertextMessage> sent;
    for (int i = 0; i < 3002; ++i) sent.push_back(pair.alice.encrypt_to(pair.bob, "m" + std::to_string(i)));
    // Each decryption keeps the keys it skipped: 1500, then 1500 more.
    CHECK(pair.bob.decrypt_from(pair.alice, sent[1500]) == "m1500");
    CHECK(pair.bob.decrypt_from(pair.alice, sent[3001]) == "m3001");
    // The 1000 oldest of the 3000 are gone; the rest still open.
    CHECK(error_of([&] { (void)pair.bob.decrypt_from(pair.alice, sent[0]); }) == ErrorCode::duplicate_message);
    CHECK(error_of([&] { (void)pair.bob.decrypt_from(pair.alice, sent[999]); }) == ErrorCode::duplicate_message);
    CHECK(pair.bob.decrypt_from(pair.alice, sent[1000]) == "m1000");
    CHECK(pair.bob.decrypt_from(pair.alice, sent[3000]) == "m3000");
}
