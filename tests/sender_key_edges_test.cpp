// Sender keys at their edges: a chain at the last iteration a 32-bit counter
// holds, a record with no chain in it, copies of a record, and distribution
// messages that lack their chain key or signing key.
#include <catch2/catch.hpp>

#include <functional>
#include <limits>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/sender_keys.hpp"
#include "crypto/aes.hpp"
#include "protocol/groups/sender_key_state.hpp"
#include "session_helpers.hpp"
#include "wire.pb.h"

using namespace cliquet;
using cliquet::testing::error_of;

namespace {

const ProtocolAddress kAlice{"alice", 1};
const DistributionId kGroup = {0x5e, 0x2d, 0x1b, 0x07, 0x9f, 0x4c, 0x4a, 0x1e,
                               0x8b, 0x2a, 0x3c, 0x44, 0x55, 0x66, 0x77, 0x99};
constexpr std::uint32_t kLast = std::numeric_limits<std::uint32_t>::max();

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

void refused(MemorySenderKeyStore& store, ErrorCode code, const std::function<void()>& action) {
    const auto before = store_snapshot(store);
    CHECK(error_of(action) == code);
    CHECK(store_snapshot(store) == before);
}

SenderKeyRecord record_at(const MemorySenderKeyStore& store) {
    return SenderKeyRecord::deserialize(store.load_sender_key(kAlice, kGroup)->span());
}

// Moves the chain of the record in `store` to `iteration`, keeping its key:
// a sender and a member moved alike still agree on every key.
void move_chain(MemorySenderKeyStore& store, std::uint32_t iteration) {
    SenderKeyRecord record = record_at(store);
    protocol::SenderKeyRecordAccess::states(record).front().chain.iteration = iteration;
    store.store_sender_key(kAlice, kGroup, record.serialize().span());
}

}  // namespace

TEST_CASE("a sender chain at its last iteration sends and reads that message, and no further",
          "[sender_keys][edges]") {
    MemorySenderKeyStore alice;
    MemorySenderKeyStore bob;
    process_sender_key_distribution_message(bob, kAlice, create_sender_key_distribution_message(alice, kAlice, kGroup));
    move_chain(alice, kLast - 1);
    move_chain(bob, kLast - 1);

    const SenderKeyMessage penultimate = group_encrypt(alice, kAlice, kGroup, as_bytes("penultimate"));
    CHECK(penultimate.iteration() == kLast - 1);
    CHECK(text_of(group_decrypt(bob, kAlice, penultimate.serialize())) == "penultimate");
    // Alice's chain has no step past the last: the call refuses, her record unchanged.
    refused(alice, ErrorCode::no_session, [&] { (void)group_encrypt(alice, kAlice, kGroup, as_bytes("last")); });

    // The last iteration's message, made from the chain by hand (what a
    // sender without that check would send), cannot move Bob's chain on.
    SenderKeyRecord record = record_at(alice);
    const protocol::SenderKeyState& state = protocol::SenderKeyRecordAccess::states(record).front();
    REQUIRE(state.chain.iteration == kLast);
    const auto keys = state.chain.message_key_seed().derive();
    const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), as_bytes("last"));
    const SenderKeyMessage last =
        SenderKeyMessage::create(kGroup, state.chain_id, kLast, ciphertext, *state.signing_private);
    refused(bob, ErrorCode::invalid_message, [&] { (void)group_decrypt(bob, kAlice, last.serialize()); });
    // A replay of the one before is still a duplicate.
    refused(bob, ErrorCode::duplicate_message, [&] { (void)group_decrypt(bob, kAlice, penultimate.serialize()); });
}

TEST_CASE("a sender-key record with no chain in it is no session, and changes nothing", "[sender_keys][edges]") {
    MemorySenderKeyStore alice;
    MemorySenderKeyStore bob;
    const SenderKeyDistributionMessage distribution = create_sender_key_distribution_message(alice, kAlice, kGroup);
    process_sender_key_distribution_message(bob, kAlice, distribution);
    const SenderKeyMessage message = group_encrypt(alice, kAlice, kGroup, as_bytes("hello"));

    // An empty record is a valid record of no chains.
    const SenderKeyRecord empty = SenderKeyRecord::deserialize({});
    CHECK(empty.empty());
    CHECK(empty.chain_ids().empty());
    alice.store_sender_key(kAlice, kGroup, Bytes{});
    bob.store_sender_key(kAlice, kGroup, Bytes{});
    refused(alice, ErrorCode::no_session, [&] { (void)group_encrypt(alice, kAlice, kGroup, as_bytes("x")); });
    refused(alice, ErrorCode::no_session, [&] { (void)create_sender_key_distribution_message(alice, kAlice, kGroup); });
    refused(bob, ErrorCode::no_session, [&] { (void)group_decrypt(bob, kAlice, message.serialize()); });
    // The distribution message fills it again.
    process_sender_key_distribution_message(bob, kAlice, distribution);
    CHECK(text_of(group_decrypt(bob, kAlice, message.serialize())) == "hello");
}

TEST_CASE("a copied sender-key record is the same record, copied or assigned", "[sender_keys][edges]") {
    MemorySenderKeyStore alice;
    (void)create_sender_key_distribution_message(alice, kAlice, kGroup);
    (void)group_encrypt(alice, kAlice, kGroup, as_bytes("one"));
    const SenderKeyRecord record = record_at(alice);
    const SenderKeyRecord copy(record);
    CHECK(copy.serialize() == record.serialize());
    SenderKeyRecord assigned;
    assigned = record;
    CHECK(assigned.serialize() == record.serialize());
    SenderKeyRecord moved;
    moved = SenderKeyRecord(record);
    CHECK(moved.serialize() == record.serialize());
    CHECK(moved.chain_ids() == record.chain_ids());
}

TEST_CASE("a distribution message without its chain key or its signing key is refused", "[sender_keys][edges]") {
    SecretArray<32> chain_key;
    const SenderKeyDistributionMessage genuine(kGroup, 7, 0, chain_key, KeyPair::generate().public_key);
    const ByteView bytes = genuine.serialize().span();
    proto::wire::SenderKeyDistributionMessage full;
    REQUIRE(full.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1)));
    // The largest chain id and iteration take the most bytes, which keeps
    // the message past the shortest a distribution message can be.
    full.set_chain_id(kLast);
    full.set_iteration(kLast);
    for (const bool drop_chain_key : {true, false}) {
        proto::wire::SenderKeyDistributionMessage partial = full;
        if (drop_chain_key)
            partial.clear_chain_key();
        else
            partial.clear_signing_key();
        const std::string body = partial.SerializeAsString();
        Bytes message{bytes[0]};
        message.insert(message.end(), body.begin(), body.end());
        REQUIRE(message.size() >= 65);
        try {
            (void)SenderKeyDistributionMessage::deserialize(message);
            FAIL("a distribution message without its " << (drop_chain_key ? "chain key" : "signing key") << " was read");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_message);
            CHECK_THAT(e.what(), Catch::Contains(drop_chain_key ? "chain key" : "signing key"));
        }
    }
}
