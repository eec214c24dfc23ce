#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <random>

#include "cliquet/cliquet.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/sender_keys.hpp"
#include "crypto/aes.hpp"
#include "protocol/groups/sender_key_state.hpp"
#include "wire.pb.h"

using namespace cliquet;

namespace {

const ProtocolAddress kAlice{"alice", 1};
const ProtocolAddress kBob{"bob", 2};
const DistributionId kGroup = {0xd1, 0x5d, 0x1b, 0x07, 0x9f, 0x4c, 0x4a, 0x1e,
                               0x8b, 0x2a, 0x3c, 0x44, 0x55, 0x66, 0x77, 0x88};
const DistributionId kOtherGroup = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

ErrorCode code_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no error was raised");
    return ErrorCode::unsupported;
}

// Everything a store holds, to check that a refusal changed nothing.
std::map<std::pair<ProtocolAddress, DistributionId>, Bytes> snapshot(const MemorySenderKeyStore& store) {
    std::map<std::pair<ProtocolAddress, DistributionId>, Bytes> out;
    for (const auto& [key, record] : store.all()) out[key] = Bytes(record.span().begin(), record.span().end());
    return out;
}

// Asserts that `action` fails with `code` and leaves `store` as it was.
void require_refusal(MemorySenderKeyStore& store, ErrorCode code, const std::function<void()>& action) {
    const auto before = snapshot(store);
    CHECK(code_of(action) == code);
    CHECK(snapshot(store) == before);
}

Bytes text(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

// A sender and one member who has its distribution message.
struct Group {
    MemorySenderKeyStore alice_store;
    MemorySenderKeyStore bob_store;

    Group() {
        const auto distribution = create_sender_key_distribution_message(alice_store, kAlice, kGroup);
        process_sender_key_distribution_message(
            bob_store, kAlice, SenderKeyDistributionMessage::deserialize(distribution.serialize().span()));
    }
    Bytes send(std::string_view plaintext) {
        return group_encrypt(alice_store, kAlice, kGroup, text(plaintext)).serialize();
    }
    Bytes receive(ByteView ciphertext) { return group_decrypt(bob_store, kAlice, ciphertext); }
};

// The private signing key of alice's own chain, for forging messages whose
// signature is valid.
PrivateKey alice_signing_key(const MemorySenderKeyStore& store) {
    auto record = SenderKeyRecord::deserialize(store.load_sender_key(kAlice, kGroup)->span());
    return *protocol::SenderKeyRecordAccess::states(record).front().signing_private;
}

}  // namespace

TEST_CASE("group messages decrypt in order and out of order", "[sender_keys]") {
    Group group;
    std::vector<Bytes> messages;
    for (int i = 0; i < 200; ++i) messages.push_back(group.send("message " + std::to_string(i)));

    SECTION("in order") {
        for (int i = 0; i < 200; ++i) CHECK(group.receive(messages[i]) == text("message " + std::to_string(i)));
    }
    SECTION("shuffled") {
        std::vector<int> order(200);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937(6));
        for (int i : order) CHECK(group.receive(messages[i]) == text("message " + std::to_string(i)));
    }
}

TEST_CASE("sender key messages have libsignal's layout", "[sender_keys]") {
    Group group;
    const auto message = SenderKeyMessage::deserialize(group.send("hello"));
    REQUIRE(message.serialize().size() > 1 + 64);
    CHECK(message.serialize()[0] == 0x33);
    CHECK(message.distribution_id() == kGroup);
    CHECK(message.iteration() == 0);
    CHECK(message.ciphertext().size() == 16);
    CHECK(SenderKeyMessage::deserialize(group.send("again")).iteration() == 1);

    const auto distribution = create_sender_key_distribution_message(group.alice_store, kAlice, kGroup);
    CHECK(distribution.serialize().data()[0] == 0x33);
    CHECK(distribution.chain_id() == message.chain_id());
    CHECK(distribution.chain_id() < 0x80000000u);
    // A later distribution message describes the chain where it now stands.
    CHECK(distribution.iteration() == 2);
    const auto parsed = SenderKeyDistributionMessage::deserialize(distribution.serialize().span());
    CHECK(parsed.chain_key() == distribution.chain_key());
    CHECK(parsed.signing_key() == distribution.signing_key());
    CHECK(message.verify_signature(parsed.signing_key()));
}

TEST_CASE("sender-key replays are duplicates and change nothing", "[sender_keys]") {
    Group group;
    const Bytes first = group.send("one");
    const Bytes second = group.send("two");
    CHECK(group.receive(second) == text("two"));
    CHECK(group.receive(first) == text("one"));
    require_refusal(group.bob_store, ErrorCode::duplicate_message, [&] { group.receive(first); });
    require_refusal(group.bob_store, ErrorCode::duplicate_message, [&] { group.receive(second); });
    CHECK(group.receive(group.send("three")) == text("three"));
}

TEST_CASE("a member without the distribution message has no session", "[sender_keys]") {
    Group group;
    const Bytes message = group.send("secret");
    MemorySenderKeyStore carol_store;
    require_refusal(carol_store, ErrorCode::no_session, [&] { (void)group_decrypt(carol_store, kAlice, message); });
    // The record is per sender and per distribution.
    require_refusal(group.bob_store, ErrorCode::no_session,
                    [&] { (void)group_decrypt(group.bob_store, kBob, message); });

    // Alice on another device state: a new chain for the same group.
    MemorySenderKeyStore other_alice;
    (void)create_sender_key_distribution_message(other_alice, kAlice, kGroup);
    // Bob knows alice in this group, but not this chain.
    const Bytes unknown_chain = group_encrypt(other_alice, kAlice, kGroup, text("x")).serialize();
    require_refusal(group.bob_store, ErrorCode::no_session, [&] { group.receive(unknown_chain); });
}

TEST_CASE("tampered messages are refused and the next one is accepted", "[sender_keys]") {
    Group group;
    const Bytes genuine = group.send("genuine");
    for (std::size_t i = 0; i < genuine.size(); i += 7) {
        Bytes tampered = genuine;
        tampered[i] ^= 0x20;
        const auto before = snapshot(group.bob_store);
        CHECK_THROWS_AS(group.receive(tampered), Error);
        CHECK(snapshot(group.bob_store) == before);
    }
    Bytes bad_signature = genuine;
    bad_signature.back() ^= 1;
    require_refusal(group.bob_store, ErrorCode::invalid_signature, [&] { group.receive(bad_signature); });
    CHECK(group.receive(genuine) == text("genuine"));
    CHECK(group.receive(group.send("next")) == text("next"));
}

TEST_CASE("a validly signed message with a bad body is invalid and changes nothing", "[sender_keys]") {
    Group group;
    const auto genuine = SenderKeyMessage::deserialize(group.send("x"));
    const PrivateKey signing = alice_signing_key(group.alice_store);
    // The keys of iteration 5, from alice's chain (now at iteration 1).
    auto record = SenderKeyRecord::deserialize(group.alice_store.load_sender_key(kAlice, kGroup)->span());
    protocol::SenderChainKey chain = protocol::SenderKeyRecordAccess::states(record).front().chain;
    while (chain.iteration < 5) chain = *chain.next();
    const auto keys = chain.message_key_seed().derive();
    // One block that decrypts to zeros: a padding byte of 0.
    Bytes zero_padding = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), Bytes(16, 0));
    zero_padding.resize(16);
    const Bytes intact = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), text("intact"));

    for (const Bytes& body : {Bytes(15, 0), Bytes{}, zero_padding}) {
        const auto forged = SenderKeyMessage::create(kGroup, genuine.chain_id(), 5, body, signing);
        require_refusal(group.bob_store, ErrorCode::invalid_message, [&] { group.receive(forged.serialize()); });
    }
    CHECK(group.receive(SenderKeyMessage::create(kGroup, genuine.chain_id(), 5, intact, signing).serialize()) ==
          text("intact"));
    CHECK(group.receive(genuine.serialize()) == text("x"));
}

TEST_CASE("messages too far ahead are refused, kept keys are bounded", "[sender_keys]") {
    Group group;
    const auto first = SenderKeyMessage::deserialize(group.send("first"));
    const PrivateKey signing = alice_signing_key(group.alice_store);

    SECTION("a jump of the maximum is accepted, one more is not") {
        auto record = SenderKeyRecord::deserialize(group.alice_store.load_sender_key(kAlice, kGroup)->span());
        // Alice's chain at the iteration right after the maximum jump.
        auto& state = protocol::SenderKeyRecordAccess::states(record).front();
        for (std::uint32_t i = 1; i < kMaxSenderKeyForwardJump; ++i) state.chain = *state.chain.next();
        group.alice_store.store_sender_key(kAlice, kGroup, record.serialize().span());
        const Bytes at_limit = group.send("at the limit");
        const Bytes beyond = group.send("beyond");
        CHECK(SenderKeyMessage::deserialize(at_limit).iteration() == kMaxSenderKeyForwardJump);
        require_refusal(group.bob_store, ErrorCode::invalid_message, [&] { group.receive(beyond); });
        // Bob's chain is at 0: 25000 is exactly the maximum jump.
        CHECK(group.receive(at_limit) == text("at the limit"));
        CHECK(group.receive(beyond) == text("beyond"));
        // Only the newest kMaxSenderMessageKeys skipped keys were kept.
        require_refusal(group.bob_store, ErrorCode::duplicate_message, [&] { group.receive(first.serialize()); });
    }
    SECTION("a forged iteration far ahead") {
        const auto forged = SenderKeyMessage::create(kGroup, first.chain_id(), kMaxSenderKeyForwardJump + 1,
                                                     first.ciphertext(), signing);
        require_refusal(group.bob_store, ErrorCode::invalid_message, [&] { group.receive(forged.serialize()); });
        const auto far = SenderKeyMessage::create(kGroup, first.chain_id(), 0xffffffffu, first.ciphertext(), signing);
        require_refusal(group.bob_store, ErrorCode::invalid_message, [&] { group.receive(far.serialize()); });
    }
}

TEST_CASE("the kept keys of skipped messages are bounded", "[sender_keys]") {
    Group group;
    std::vector<Bytes> messages;
    for (std::size_t i = 0; i < kMaxSenderMessageKeys + 3; ++i) messages.push_back(group.send("m"));
    CHECK(group.receive(messages.back()) == text("m"));
    // 2002 keys were skipped: 0 and 1 were dropped, 2 is the oldest kept.
    require_refusal(group.bob_store, ErrorCode::duplicate_message, [&] { group.receive(messages[0]); });
    require_refusal(group.bob_store, ErrorCode::duplicate_message, [&] { group.receive(messages[1]); });
    CHECK(group.receive(messages[2]) == text("m"));
}

TEST_CASE("encrypting needs a sender key of our own", "[sender_keys]") {
    Group group;
    require_refusal(group.alice_store, ErrorCode::no_session,
                    [&] { (void)group_encrypt(group.alice_store, kAlice, kOtherGroup, text("x")); });
    // Bob holds alice's chain without its private key.
    require_refusal(group.bob_store, ErrorCode::no_session,
                    [&] { (void)group_encrypt(group.bob_store, kAlice, kGroup, text("x")); });
}

TEST_CASE("records keep libsignal's chain replacement rules", "[sender_keys]") {
    Group group;
    const auto distribution = create_sender_key_distribution_message(group.alice_store, kAlice, kGroup);
    const Bytes first = group.send("a");
    CHECK(group.receive(first) == text("a"));

    SECTION("a replayed distribution message does not rewind the chain") {
        const auto before = snapshot(group.bob_store);
        process_sender_key_distribution_message(group.bob_store, kAlice, distribution);
        CHECK(snapshot(group.bob_store) == before);
        require_refusal(group.bob_store, ErrorCode::duplicate_message, [&] { group.receive(first); });
    }
    SECTION("the same chain id with another signing key replaces the chain") {
        const auto impostor = SenderKeyDistributionMessage(kGroup, distribution.chain_id(), 0,
                                                           distribution.chain_key(), KeyPair::generate().public_key);
        process_sender_key_distribution_message(group.bob_store, kAlice, impostor);
        auto record = SenderKeyRecord::deserialize(group.bob_store.load_sender_key(kAlice, kGroup)->span());
        CHECK(record.state_count() == 1);
        CHECK(protocol::SenderKeyRecordAccess::states(record).front().signing_key == impostor.signing_key());
        require_refusal(group.bob_store, ErrorCode::invalid_signature, [&] { group.receive(group.send("b")); });
    }
    SECTION("at most five chains, newest first") {
        std::vector<std::uint32_t> ids;
        for (std::uint32_t id = 100; id < 107; ++id) {
            SecretArray<32> key;
            system_random().fill(key.span());
            const SenderKeyDistributionMessage chain(kGroup, id, 0, key, KeyPair::generate().public_key);
            process_sender_key_distribution_message(group.bob_store, kAlice, chain);
            ids.push_back(id);
        }
        // Newest first: the last five, in reverse.
        ids.erase(ids.begin(), ids.end() - kMaxSenderKeyStates);
        std::reverse(ids.begin(), ids.end());
        auto record = SenderKeyRecord::deserialize(group.bob_store.load_sender_key(kAlice, kGroup)->span());
        CHECK(record.chain_ids() == ids);
        // Alice's original chain was pushed out.
        require_refusal(group.bob_store, ErrorCode::no_session, [&] { group.receive(group.send("c")); });
    }
}

TEST_CASE("records round-trip and foreign bytes are refused", "[sender_keys]") {
    Group group;
    (void)group.receive(group.send("a"));
    const Bytes skipped_ahead = group.send("b");
    (void)group.send("c");
    CHECK(group.receive(group.send("d")) == text("d"));
    const auto stored = group.bob_store.load_sender_key(kAlice, kGroup);
    const auto record = SenderKeyRecord::deserialize(stored->span());
    CHECK(record.serialize() == *stored);
    CHECK(record.state_count() == 1);
    CHECK_FALSE(record.empty());
    CHECK(SenderKeyRecord().empty());

    for (const Bytes& bad : {Bytes{0xff}, Bytes{0x0a, 0x05, 0x08}, Bytes{0x0a, 0x02, 0x08, 0x01}}) {
        CHECK(code_of([&] { (void)SenderKeyRecord::deserialize(bad); }) == ErrorCode::storage);
        group.bob_store.store_sender_key(kAlice, kGroup, bad);
        CHECK(code_of([&] { group.receive(skipped_ahead); }) == ErrorCode::storage);
    }
}

TEST_CASE("malformed sender key messages are refused", "[sender_keys]") {
    Group group;
    const Bytes genuine = group.send("x");
    const auto parsed = SenderKeyMessage::deserialize(genuine);
    const PrivateKey signing = alice_signing_key(group.alice_store);

    auto signed_message = [&](std::uint8_t version_byte, const proto::wire::SenderKeyMessage& body) {
        Bytes out{version_byte};
        const std::string encoded = body.SerializeAsString();
        out.insert(out.end(), encoded.begin(), encoded.end());
        const auto signature = signing.sign(out);
        out.insert(out.end(), signature.begin(), signature.end());
        return out;
    };
    proto::wire::SenderKeyMessage full;
    full.set_distribution_uuid(kGroup.data(), kGroup.size());
    full.set_chain_id(parsed.chain_id());
    full.set_iteration(0);
    full.set_ciphertext(parsed.ciphertext().data(), parsed.ciphertext().size());
    // Our encoder writes exactly this body (the signatures differ: XEdDSA is randomized).
    const Bytes rebuilt = signed_message(0x33, full);
    CHECK(Bytes(rebuilt.begin(), rebuilt.end() - 64) == Bytes(genuine.begin(), genuine.end() - 64));

    std::vector<Bytes> bad = {Bytes{}, Bytes(64, 0x33), signed_message(0x23, full), signed_message(0x43, full),
                              signed_message(0x03, full)};
    for (int field = 1; field <= 4; ++field) {
        auto partial = full;
        if (field == 1) partial.clear_distribution_uuid();
        if (field == 2) partial.clear_chain_id();
        if (field == 3) partial.clear_iteration();
        if (field == 4) partial.clear_ciphertext();
        bad.push_back(signed_message(0x33, partial));
    }
    auto short_uuid = full;
    short_uuid.set_distribution_uuid(kGroup.data(), 15);
    bad.push_back(signed_message(0x33, short_uuid));
    Bytes not_protobuf = {0x33, 0xff, 0xff};
    not_protobuf.resize(3 + 64);
    bad.push_back(not_protobuf);

    for (const Bytes& message : bad) {
        CHECK(code_of([&] { (void)SenderKeyMessage::deserialize(message); }) == ErrorCode::invalid_message);
        require_refusal(group.bob_store, ErrorCode::invalid_message, [&] { group.receive(message); });
    }
    CHECK(group.receive(signed_message(0x33, full)) == text("x"));
}

TEST_CASE("malformed distribution messages are refused", "[sender_keys]") {
    SecretArray<32> chain_key;
    const auto signing = KeyPair::generate();
    const SenderKeyDistributionMessage genuine(kGroup, 7, 0, chain_key, signing.public_key);
    const ByteView bytes = genuine.serialize().span();
    CHECK(SenderKeyDistributionMessage::deserialize(bytes).chain_id() == 7);

    auto with_body = [](std::uint8_t version_byte, const proto::wire::SenderKeyDistributionMessage& body) {
        Bytes out{version_byte};
        const std::string encoded = body.SerializeAsString();
        out.insert(out.end(), encoded.begin(), encoded.end());
        return out;
    };
    proto::wire::SenderKeyDistributionMessage full;
    REQUIRE(full.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1)));
    CHECK(with_body(0x33, full) == Bytes(bytes.begin(), bytes.end()));

    std::vector<Bytes> invalid = {Bytes(bytes.begin(), bytes.begin() + 64), with_body(0x23, full),
                                  with_body(0x43, full), Bytes{0x33, 0xff}};
    for (int field = 1; field <= 5; ++field) {
        auto partial = full;
        if (field == 1) partial.clear_distribution_uuid();
        if (field == 2) partial.clear_chain_id();
        if (field == 3) partial.clear_iteration();
        if (field == 4) partial.clear_chain_key();
        if (field == 5) partial.clear_signing_key();
        Bytes message = with_body(0x33, partial);
        // Keep the message long enough to reach the protobuf checks.
        if (message.size() < 65) continue;
        invalid.push_back(message);
    }
    auto short_key = full;
    short_key.mutable_chain_key()->resize(31);
    invalid.push_back(with_body(0x33, short_key));
    auto long_signing = full;
    long_signing.mutable_signing_key()->push_back('\0');
    invalid.push_back(with_body(0x33, long_signing));
    auto bad_uuid = full;
    bad_uuid.mutable_distribution_uuid()->resize(17);
    invalid.push_back(with_body(0x33, bad_uuid));
    Bytes garbage(80, 0xff);
    garbage[0] = 0x33;
    invalid.push_back(garbage);
    for (const Bytes& message : invalid)
        CHECK(code_of([&] { (void)SenderKeyDistributionMessage::deserialize(message); }) == ErrorCode::invalid_message);

    auto wrong_type = full;
    (*wrong_type.mutable_signing_key())[0] = 0x06;
    CHECK(code_of([&] { (void)SenderKeyDistributionMessage::deserialize(with_body(0x33, wrong_type)); }) ==
          ErrorCode::invalid_key);
}
