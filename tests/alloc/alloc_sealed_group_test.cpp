// Allocation failures in sealed sender and sender keys: every allocation of
// sealing a session message and of opening a sealed message (version 1 and 2,
// holding a pre-key or a whisper message) and of group encrypt and decrypt
// fails in turn. Each failure must be reported, leave the store as it was,
// and let the same call succeed next.
#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "alloc_sweep.hpp"
#include "cliquet/cliquet.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "failing_new.hpp"
#include "forwarding_store.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::alloc;

namespace {

constexpr std::array<std::uint8_t, 32> kSeed = {9, 9, 9};
constexpr DistributionId kGroup = {0xd1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// What Bob receives of a version 2 message sent to him alone.
Bytes received_by_bob(const Bytes& sent) {
    const auto message = SealedSenderV2SentMessage::parse(sent);
    REQUIRE(message.recipients().size() == 1);
    return message.received_message(message.recipients()[0]);
}

// A sealed envelope of `version` (1 or 2) from Alice to Bob around `message`.
Bytes seal(SealedPair& pair, int version, const CiphertextMessage& message) {
    const UnidentifiedSenderMessageContent content(message.type, pair.server.issue(pair.alice), message.bytes);
    if (version == 1) return seal_v1(content, pair.alice.identity(), pair.bob.identity().public_key());
    const std::vector<ProtocolAddress> to_bob = {pair.bob.address};
    return received_by_bob(sealed_sender_multi_recipient_encrypt(*pair.alice.store, to_bob, {}, content));
}

// Bob opens `sealed` (either version) on `store`, his.
std::string open_at_bob(SealedPair& pair, MemoryProtocolStore& store, const Bytes& sealed) {
    const SealedSenderDecryptionResult result = sealed_sender_decrypt(
        store, sealed, pair.server.trust_root.public_key, kSealedNow, sealed_recipient(pair.bob),
        system_random(), pair.bob.options);
    CHECK(result.sender_uuid == pair.alice.address.name);
    return text_of(result.plaintext);
}

}  // namespace

TEST_CASE("an allocation failure anywhere in opening a sealed message changes nothing", "[alloc][sealed]") {
    const int version = GENERATE(1, 2);
    const bool first_contact = GENERATE(true, false);
    SealedPair pair;
    if (!first_contact) {
        const auto hello = pair.alice.encrypt_to(pair.bob, "hello");
        CHECK(pair.bob.decrypt_from(pair.alice, hello) == "hello");
        const auto reply = pair.bob.encrypt_to(pair.alice, "hi");
        CHECK(pair.alice.decrypt_from(pair.bob, reply) == "hi");
    }
    const CiphertextMessage inner = pair.alice.encrypt_to(pair.bob, "swept");
    REQUIRE(inner.type == (first_contact ? CiphertextType::pre_key : CiphertextType::whisper));
    const Bytes sealed = seal(pair, version, inner);
    const PublicKey& root = pair.server.trust_root.public_key;
    const SealedSenderRecipient bob = sealed_recipient(pair.bob);

    const std::string name = "sealed sender v" + std::to_string(version) + " open, " +
                             (first_contact ? "pre-key message" : "whisper message");
    sweep_allocations(name, [&](std::size_t n) {
        MemoryProtocolStore store = *pair.bob.store;
        const std::string before = store_snapshot(store);
        DeterministicRandom random(kSeed);
        std::optional<SealedSenderDecryptionResult> result;
        const Outcome outcome = call_failing_at(n, [&] {
            result = sealed_sender_decrypt(store, sealed, root, kSealedNow, bob, random, pair.bob.options);
        });
        if (outcome.failed()) {
            CHECK(store_snapshot(store) == before);
            DeterministicRandom again(kSeed);
            result = sealed_sender_decrypt(store, sealed, root, kSealedNow, bob, again, pair.bob.options);
        }
        REQUIRE(result);
        CHECK(text_of(result->plaintext) == "swept");
        CHECK(result->sender_uuid == pair.alice.address.name);
        // The session goes on: Bob's reply decrypts at Alice.
        const auto reply = SessionCipher(store, pair.bob.address, pair.alice.address).encrypt(as_bytes("reply"));
        MemoryProtocolStore alice = *pair.alice.store;
        CHECK(text_of(SessionCipher(alice, pair.alice.address, pair.bob.address).decrypt(reply.type, reply.bytes)) ==
              "reply");
        return outcome;
    });
}

TEST_CASE("an allocation failure anywhere in sealing a session message changes nothing", "[alloc][sealed]") {
    const int version = GENERATE(1, 2);
    const bool first_contact = GENERATE(true, false);
    SealedPair pair;
    if (!first_contact) {
        CHECK(pair.bob.decrypt_from(pair.alice, pair.alice.encrypt_to(pair.bob, "hello")) == "hello");
        CHECK(pair.alice.decrypt_from(pair.bob, pair.bob.encrypt_to(pair.alice, "hi")) == "hi");
    }
    const SenderCertificate certificate = pair.server.issue(pair.alice);
    const std::vector<ProtocolAddress> to_bob = {pair.bob.address};
    // Version 2 seals a message encrypted beforehand (the session has
    // stepped already); version 1 encrypts and seals in one call.
    std::optional<UnidentifiedSenderMessageContent> content;
    if (version == 2) {
        const CiphertextMessage inner = pair.alice.encrypt_to(pair.bob, "swept");
        REQUIRE(inner.type == (first_contact ? CiphertextType::pre_key : CiphertextType::whisper));
        content.emplace(inner.type, certificate, inner.bytes);
    }
    const auto seal_once = [&](ProtocolStore& store, RandomSource& random) {
        if (version == 1) return sealed_sender_encrypt(store, pair.bob.address, certificate, as_bytes("swept"), random);
        return sealed_sender_multi_recipient_encrypt(store, to_bob, {}, *content, random);
    };

    const std::string name = "sealed sender v" + std::to_string(version) + " seal, " +
                             (first_contact ? "pre-key message" : "whisper message");
    sweep_allocations(name, [&](std::size_t n) {
        // Alice's stores as a store that cannot roll back sees them: a failed
        // call that leaves them as they were wrote nothing before it failed.
        MemoryProtocolStore alice = *pair.alice.store;
        ForwardingStore store(alice);
        const std::string before = store_snapshot(alice);
        DeterministicRandom random(kSeed);
        Bytes sealed;
        const Outcome outcome = call_failing_at(n, [&] { sealed = seal_once(store, random); });
        if (outcome.failed()) {
            CHECK(store_snapshot(alice) == before);
            DeterministicRandom again(kSeed);
            sealed = seal_once(store, again);
        }
        // Bob opens it, on a copy of his store; then Alice's next sealed
        // message, on the session the call left, opens too.
        MemoryProtocolStore bob = *pair.bob.store;
        CHECK(open_at_bob(pair, bob, version == 1 ? sealed : received_by_bob(sealed)) == "swept");
        const Bytes next = sealed_sender_encrypt(store, pair.bob.address, certificate, as_bytes("next"));
        CHECK(open_at_bob(pair, bob, next) == "next");
        return outcome;
    });
}

TEST_CASE("an allocation failure anywhere in group encrypt or decrypt changes nothing", "[alloc][group]") {
    const ProtocolAddress alice{"alice", 1};
    MemorySenderKeyStore alice_keys;
    MemorySenderKeyStore bob_keys;
    const auto distribution = create_sender_key_distribution_message(alice_keys, alice, kGroup);
    process_sender_key_distribution_message(bob_keys, alice, distribution);
    // A few messages in, so that the chain has moved and Bob holds skipped keys.
    for (int i = 0; i < 3; ++i) (void)group_encrypt(alice_keys, alice, kGroup, as_bytes("skipped"));
    const SenderKeyMessage skipped_last = group_encrypt(alice_keys, alice, kGroup, as_bytes("later"));
    REQUIRE(text_of(group_decrypt(bob_keys, alice, skipped_last.serialize())) == "later");

    SECTION("encrypt") {
        sweep_allocations("group encrypt", [&](std::size_t n) {
            MemorySenderKeyStore keys = alice_keys;
            const std::string before = store_snapshot(keys);
            DeterministicRandom random(kSeed);
            std::optional<SenderKeyMessage> message;
            const Outcome outcome = call_failing_at(n, [&] {
                message = group_encrypt(keys, alice, kGroup, as_bytes("swept"), random);
            });
            if (outcome.failed()) {
                CHECK(store_snapshot(keys) == before);
                DeterministicRandom again(kSeed);
                message = group_encrypt(keys, alice, kGroup, as_bytes("swept"), again);
            }
            REQUIRE(message);
            MemorySenderKeyStore receiver = bob_keys;
            CHECK(text_of(group_decrypt(receiver, alice, message->serialize())) == "swept");
            return outcome;
        });
    }
    SECTION("decrypt, in order and out of order") {
        const bool in_order = GENERATE(true, false);
        // In order: the next message on Alice's chain. Out of order: one of
        // the messages Bob skipped, whose key he kept.
        MemorySenderKeyStore sender = alice_keys;
        const SenderKeyMessage message = group_encrypt(sender, alice, kGroup, as_bytes("swept"));
        MemorySenderKeyStore bob_start = bob_keys;
        if (!in_order) {
            (void)group_encrypt(sender, alice, kGroup, as_bytes("after"));
            const SenderKeyMessage after = group_encrypt(sender, alice, kGroup, as_bytes("after"));
            REQUIRE(text_of(group_decrypt(bob_start, alice, after.serialize())) == "after");
        }
        sweep_allocations(in_order ? "group decrypt, in order" : "group decrypt, skipped key", [&](std::size_t n) {
            MemorySenderKeyStore keys = bob_start;
            const std::string before = store_snapshot(keys);
            Bytes plaintext;
            const Outcome outcome =
                call_failing_at(n, [&] { plaintext = group_decrypt(keys, alice, message.serialize()); });
            if (outcome.failed()) {
                CHECK(store_snapshot(keys) == before);
                plaintext = group_decrypt(keys, alice, message.serialize());
            }
            CHECK(text_of(plaintext) == "swept");
            // Once decrypted, it is a duplicate; the next message decrypts.
            CHECK(error_of([&] { (void)group_decrypt(keys, alice, message.serialize()); }) ==
                  ErrorCode::duplicate_message);
            MemorySenderKeyStore next_sender = sender;
            const SenderKeyMessage next = group_encrypt(next_sender, alice, kGroup, as_bytes("next"));
            CHECK(text_of(group_decrypt(keys, alice, next.serialize())) == "next");
            return outcome;
        });
    }
}
