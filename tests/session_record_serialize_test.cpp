// SessionRecord::serialize writes libsignal's RecordStructure by hand, from
// the states in place: it must produce the very bytes protobuf writes for
// the same record, and read back to the same record.
#include <catch2/catch.hpp>

#include <string>

#include "protocol/ratchet/session_state.hpp"
#include "session_helpers.hpp"
#include "storage.pb.h"

using namespace cliquet;
using cliquet::testing::Device;

namespace {

// What protobuf itself writes for the record.
std::string reference_bytes(const SessionRecord& record) {
    proto::storage::RecordStructure structure;
    if (record.data().current) {
        const SecretBytes current = record.data().current->serialize();
        REQUIRE(structure.mutable_current_session()->ParseFromArray(current.data(), static_cast<int>(current.size())));
    }
    for (const auto& archived : record.data().previous) structure.add_previous_sessions(archived->data(), archived->size());
    return structure.SerializeAsString();
}

std::string bytes_of(const SecretBytes& bytes) { return std::string(bytes.data(), bytes.data() + bytes.size()); }

}  // namespace

TEST_CASE("SessionRecord::serialize writes what protobuf writes", "[session][record]") {
    CHECK(SessionRecord().serialize().size() == 0);

    Device alice("alice", 11), bob("bob", 22);
    process_pre_key_bundle(*alice.store, bob.address, bob.bundle(5, 9, KyberPreKeyId{7}));
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "hello")) == "hello");
    REQUIRE(alice.decrypt_from(bob, bob.encrypt_to(alice, "hi")) == "hi");
    // 200 skipped keys on Bob's side (long enough that lengths take two
    // varint bytes), then a new handshake archives Alice's state.
    for (int i = 0; i < 200; ++i) alice.encrypt_to(bob, "lost");
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "late")) == "late");
    process_pre_key_bundle(*alice.store, bob.address, bob.bundle(6, 10, KyberPreKeyId{8}));

    for (Device* device : {&alice, &bob}) {
        const ProtocolAddress& peer = device == &alice ? bob.address : alice.address;
        const SessionRecord record = device->store->sessions().load_session(peer).value();
        const SecretBytes serialized = record.serialize();
        CHECK(bytes_of(serialized) == reference_bytes(record));
        const SessionRecord reread = SessionRecord::deserialize(serialized.span());
        CHECK(bytes_of(reread.serialize()) == bytes_of(serialized));
        CHECK(reread.archived_state_count() == record.archived_state_count());
    }
    CHECK(alice.store->sessions().load_session(bob.address)->archived_state_count() == 1);

    // Only archived states, no current one.
    SessionRecord archived_only = alice.store->sessions().load_session(bob.address).value();
    archived_only.archive_current_state();
    CHECK(bytes_of(archived_only.serialize()) == reference_bytes(archived_only));
}
