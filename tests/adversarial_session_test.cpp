// Adversarial tests of 1:1 sessions: a network attacker flips, truncates,
// extends, replays and redirects Alice's and Carol's messages to Bob, and
// pushes counters to their bounds. Every refusal must leave Bob's stores
// byte for byte as they were, and the session must work afterwards.
//
// The world (fuzz/scenario.hpp) is the stateful fuzz target's: Bob has a
// PQXDH session with Alice, who has sent a2 and a3 on a fresh chain, and
// Carol has started a PQXDH session he has not seen.
#include <catch2/catch.hpp>

#include <string>

#include "cliquet_testing/deterministic_random.hpp"
#include "adversarial_helpers.hpp"
#include "protocol/ratchet/session_state.hpp"

using namespace cliquet;
using adversarial::flipped;
using adversarial::refusal;
using fuzzing::SessionWorld;

namespace {

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Every store decrypting here is Bob's.
const ProtocolAddress kBob{"bob", 1};
// X3DH sessions exist only under the opt-in policy.
const SessionOptions kX3dhAllowed{.pq_ratchet = PqRatchetPolicy::offer};

Bytes decrypt(MemoryProtocolStore& store, const ProtocolAddress& from, CiphertextType type, ByteView bytes,
              const SessionOptions& options = {}) {
    DeterministicRandom random = fuzzing::seeded_random("adversarial session decrypt");
    return SessionCipher(store, kBob, from, options).decrypt(type, bytes, random);
}

// Sends Alice's next message at `counter` on her current chain, by moving
// the chain forward as many steps first (the keys in between are never
// used, as if those messages were lost).
Bytes alice_message_at(MemoryProtocolStore& alice, const ProtocolAddress& bob, std::uint32_t counter) {
    SessionRecord record = *alice.sessions().load_session(bob);
    protocol::SessionState state = *record.data().current;
    protocol::ChainKey chain = state.sender_chain_key();
    while (chain.index() < counter) chain = chain.next();
    state.set_sender_chain_key(chain);
    record.data().current = std::make_shared<const protocol::SessionState>(std::move(state));
    alice.sessions().store_session(bob, record);
    const CiphertextMessage message =
        SessionCipher(alice, ProtocolAddress{"alice", 1}, bob).encrypt(as_bytes("at " + std::to_string(counter)));
    REQUIRE(message.type == CiphertextType::whisper);
    REQUIRE(SignalMessage::deserialize(message.bytes).counter() == counter);
    return message.bytes;
}

// Dave starts an X3DH (version 3) session with Bob: Bob's bundle without its
// Kyber pre-key, which only the opt-in policy accepts. Returns Dave's first
// message.
CiphertextMessage x3dh_from_dave(SessionWorld& world, MemoryProtocolStore& dave, const ProtocolAddress& dave_address) {
    PreKeyBundle bundle = fuzzing::publish_bundle(world.bob, 1, 3, 3, 3, world.random);
    bundle.kyber_pre_key_id.reset();
    bundle.kyber_pre_key.reset();
    bundle.kyber_pre_key_signature.reset();
    process_pre_key_bundle(dave, world.bob_address, bundle, world.random, kX3dhAllowed);
    const CiphertextMessage message =
        SessionCipher(dave, dave_address, world.bob_address, kX3dhAllowed).encrypt(as_bytes("d1"));
    REQUIRE(message.type == CiphertextType::pre_key);
    REQUIRE(PreKeySignalMessage::deserialize(message.bytes).message_version() == 3);
    return message;
}

// A pre-key message that was accepted after a flip must have changed only
// what the protocol does not authenticate (libsignal alike): the low
// version nibble and the registration id. Everything that feeds the key
// agreement or the MAC is the same.
void require_same_authenticated_fields(ByteView original_bytes, ByteView accepted_bytes) {
    const auto original = PreKeySignalMessage::deserialize(original_bytes);
    const auto accepted = PreKeySignalMessage::deserialize(accepted_bytes);
    CHECK(accepted.message_version() == original.message_version());
    CHECK(accepted.pre_key_id() == original.pre_key_id());
    CHECK(accepted.signed_pre_key_id() == original.signed_pre_key_id());
    CHECK(accepted.base_key() == original.base_key());
    CHECK(accepted.identity_key() == original.identity_key());
    CHECK(accepted.kyber().has_value() == original.kyber().has_value());
    if (accepted.kyber() && original.kyber()) {
        CHECK(accepted.kyber()->pre_key_id == original.kyber()->pre_key_id);
        CHECK(accepted.kyber()->ciphertext == original.kyber()->ciphertext);
    }
    CHECK(accepted.message().serialize() == original.message().serialize());
}

// Every single-bit flip (bit 0, then bit 7) of every byte of a pre-key
// message, each delivered to a fresh copy of Bob: refused with his stores
// unchanged, or (only where the bytes are unauthenticated) accepted with the
// genuine plaintext. Returns how many flips were accepted.
int flip_pre_key_message(SessionWorld& world, const ProtocolAddress& from, ByteView message,
                        const std::string& expected_text, const SessionOptions& options = {}) {
    const std::string untouched = store_snapshot(world.bob);
    int accepted = 0;
    for (std::size_t i = 0; i < message.size(); ++i) {
        for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
            const Bytes bad = flipped(message, i, mask);
            MemoryProtocolStore bob = world.bob;
            Bytes plaintext;
            const auto code = refusal([&] { plaintext = decrypt(bob, from, CiphertextType::pre_key, bad, options); });
            if (code) {
                if (store_snapshot(bob) != untouched) FAIL("flip of byte " << i << " changed Bob's state");
                continue;
            }
            INFO("flip of byte " << i << " with mask " << int{mask} << " was accepted");
            ++accepted;
            CHECK(text_of(plaintext) == expected_text);
            require_same_authenticated_fields(message, bad);
        }
    }
    return accepted;
}

}  // namespace

TEST_CASE("every single-bit flip of a whisper message is refused and changes nothing", "[adversarial][session]") {
    SessionWorld world;
    MemoryProtocolStore bob = world.bob;
    const std::string untouched = store_snapshot(bob);
    std::size_t refused = 0;
    for (const Bytes& message : world.alice_whispers) {
        for (std::size_t i = 0; i < message.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                const Bytes bad = flipped(message, i, static_cast<std::uint8_t>(1u << bit));
                const auto code = refusal([&] { decrypt(bob, world.alice_address, CiphertextType::whisper, bad); });
                INFO("byte " << i << " bit " << bit);
                REQUIRE(code == ErrorCode::invalid_message);
                REQUIRE(store_snapshot(bob) == untouched);
                ++refused;
            }
        }
    }
    CHECK(refused == 8 * (world.alice_whispers[0].size() + world.alice_whispers[1].size()));
    // All those refusals later, the genuine messages decrypt, in any order.
    CHECK(text_of(decrypt(bob, world.alice_address, world.alice_next.type, world.alice_next.bytes)) == "a4");
    CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[1])) == "a3");
    CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[0])) == "a2");
}

TEST_CASE("flips of PQXDH and X3DH pre-key messages are refused unless they touch only unauthenticated bytes",
          "[adversarial][session]") {
    SessionWorld world;
    MemoryProtocolStore dave(IdentityKeyPair::generate(world.random), 4);
    const ProtocolAddress dave_address{"dave", 1};
    const CiphertextMessage from_dave = x3dh_from_dave(world, dave, dave_address);

    // The registration id (a varint near the end of the body) and the low
    // version nibble are all that may change: at most a handful of flips.
    const int pqxdh_accepted = flip_pre_key_message(world, world.carol_address, world.carol_pre_key, "c1");
    const int x3dh_accepted = flip_pre_key_message(world, dave_address, from_dave.bytes, "d1", kX3dhAllowed);
    CHECK(pqxdh_accepted <= 8);
    CHECK(x3dh_accepted <= 8);

    // Bob's real state was never touched: the genuine messages still work.
    CHECK(text_of(decrypt(world.bob, world.carol_address, CiphertextType::pre_key, world.carol_pre_key)) == "c1");
    CHECK(text_of(decrypt(world.bob, dave_address, from_dave.type, from_dave.bytes, kX3dhAllowed)) == "d1");
}

TEST_CASE("truncated and extended messages are refused and change nothing", "[adversarial][session]") {
    SessionWorld world;
    MemoryProtocolStore bob = world.bob;
    const std::string untouched = store_snapshot(bob);
    const Bytes& whisper = world.alice_whispers[0];
    const Bytes& pre_key = world.carol_pre_key;

    auto require_refused = [&](const ProtocolAddress& from, CiphertextType type, ByteView bytes) {
        const auto code = refusal([&] { decrypt(bob, from, type, bytes); });
        REQUIRE(code.has_value());
        REQUIRE(store_snapshot(bob) == untouched);
        return *code;
    };
    for (std::size_t length = 0; length < whisper.size(); ++length)
        CHECK(require_refused(world.alice_address, CiphertextType::whisper, ByteView(whisper).first(length)) ==
              ErrorCode::invalid_message);
    for (std::size_t length = 0; length < pre_key.size(); ++length)
        CHECK(require_refused(world.carol_address, CiphertextType::pre_key, ByteView(pre_key).first(length)) ==
              ErrorCode::invalid_message);

    for (const std::size_t extra : {std::size_t{1}, std::size_t{8}, std::size_t{4096}}) {
        for (const std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xff}}) {
            Bytes longer_whisper = whisper;
            longer_whisper.insert(longer_whisper.end(), extra, fill);
            CHECK(require_refused(world.alice_address, CiphertextType::whisper, longer_whisper) ==
                  ErrorCode::invalid_message);
            // Bytes after a protobuf body are more fields: zero is no valid
            // field tag, and 0xff bytes are a varint that never ends.
            Bytes longer_pre_key = pre_key;
            longer_pre_key.insert(longer_pre_key.end(), extra, fill);
            CHECK(require_refused(world.carol_address, CiphertextType::pre_key, longer_pre_key) ==
                  ErrorCode::invalid_message);
        }
    }
    CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, whisper)) == "a2");
    CHECK(text_of(decrypt(bob, world.carol_address, CiphertextType::pre_key, pre_key)) == "c1");
}

TEST_CASE("replayed messages are refused as duplicates and change nothing", "[adversarial][session]") {
    SessionWorld world;
    MemoryProtocolStore bob = world.bob;

    // Alice's first pre-key message was delivered while the world was built.
    std::string before = store_snapshot(bob);
    CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::pre_key, world.alice_first_pre_key); }) ==
          ErrorCode::duplicate_message);
    CHECK(store_snapshot(bob) == before);

    for (const Bytes& message : world.alice_whispers) {
        (void)decrypt(bob, world.alice_address, CiphertextType::whisper, message);
        before = store_snapshot(bob);
        CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::whisper, message); }) ==
              ErrorCode::duplicate_message);
        CHECK(store_snapshot(bob) == before);
    }

    CHECK(text_of(decrypt(bob, world.carol_address, CiphertextType::pre_key, world.carol_pre_key)) == "c1");
    before = store_snapshot(bob);
    CHECK(refusal([&] { decrypt(bob, world.carol_address, CiphertextType::pre_key, world.carol_pre_key); }) ==
          ErrorCode::duplicate_message);
    CHECK(store_snapshot(bob) == before);
    CHECK(text_of(decrypt(bob, world.carol_address, world.carol_next.type, world.carol_next.bytes)) == "c2");
}

TEST_CASE("2000 skipped message keys are kept and the 2001st oldest is dropped", "[adversarial][session]") {
    SessionWorld world;
    // Alice's chain holds a2 at counter 0 and a3 at counter 1.
    const Bytes at_2000 = alice_message_at(world.alice, world.bob_address, 2000);
    const Bytes at_2001 = alice_message_at(world.alice, world.bob_address, 2001);

    SECTION("counter 2000 first: all 2000 skipped keys, back to counter 0, are kept") {
        MemoryProtocolStore bob = world.bob;
        CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, at_2000)) == "at 2000");
        CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[0])) == "a2");
        CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[1])) == "a3");
    }
    SECTION("counter 2001 first: the key of counter 0 is dropped, counter 1 is kept") {
        MemoryProtocolStore bob = world.bob;
        CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, at_2001)) == "at 2001");
        const std::string before = store_snapshot(bob);
        CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[0]); }) ==
              ErrorCode::duplicate_message);
        CHECK(store_snapshot(bob) == before);
        CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[1])) == "a3");
    }
}

TEST_CASE("a counter 25000 ahead decrypts and 25001 ahead is refused before any work", "[adversarial][session]") {
    SessionWorld world;
    // Bob has no chain yet for Alice's new ratchet key: it starts at index 0.
    MemoryProtocolStore alice_25000 = world.alice;
    const Bytes at_25000 = alice_message_at(alice_25000, world.bob_address, 25000);
    MemoryProtocolStore alice_25001 = world.alice;
    const Bytes at_25001 = alice_message_at(alice_25001, world.bob_address, 25001);

    MemoryProtocolStore bob = world.bob;
    const std::string untouched = store_snapshot(bob);
    CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::whisper, at_25001); }) ==
          ErrorCode::invalid_message);
    CHECK(store_snapshot(bob) == untouched);

    CHECK(text_of(decrypt(bob, world.alice_address, CiphertextType::whisper, at_25000)) == "at 25000");
    // Only the newest 2000 of the 25000 skipped keys are kept.
    CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[0]); }) ==
          ErrorCode::duplicate_message);
}

TEST_CASE("swapped identity keys are refused and change nothing", "[adversarial][session]") {
    SessionWorld world;

    SECTION("Carol's pre-key message delivered as Alice's: Alice's identity is known, Carol's is not hers") {
        MemoryProtocolStore bob = world.bob;
        const std::string untouched = store_snapshot(bob);
        CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::pre_key, world.carol_pre_key); }) ==
              ErrorCode::untrusted_identity);
        CHECK(store_snapshot(bob) == untouched);
    }
    SECTION("Carol's pre-key message rewritten to claim Alice's identity key") {
        const auto original = PreKeySignalMessage::deserialize(world.carol_pre_key);
        const auto forged = PreKeySignalMessage::create(
            original.message_version(), original.registration_id(), original.pre_key_id(),
            original.signed_pre_key_id(), original.kyber(), original.base_key(),
            world.alice.identities().identity_key_pair().public_key(), original.message());
        MemoryProtocolStore bob = world.bob;
        const std::string untouched = store_snapshot(bob);
        // From Alice's address the identity matches, but the key agreement
        // and the MAC (over both identity keys) do not.
        CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::pre_key, forged.serialize()); }) ==
              ErrorCode::invalid_message);
        CHECK(store_snapshot(bob) == untouched);
        // From Carol's address, trust on first use would accept Alice's key,
        // and the same cryptographic failure refuses it.
        CHECK(refusal([&] { decrypt(bob, world.carol_address, CiphertextType::pre_key, forged.serialize()); }) ==
              ErrorCode::invalid_message);
        CHECK(store_snapshot(bob) == untouched);
    }
    SECTION("Alice's identity key changed since the session started: her whispers are refused") {
        MemoryProtocolStore bob = world.bob;
        (void)bob.identities().save_identity(world.alice_address,
                                             world.carol.identities().identity_key_pair().public_key());
        const std::string untouched = store_snapshot(bob);
        CHECK(refusal([&] { decrypt(bob, world.alice_address, CiphertextType::whisper, world.alice_whispers[0]); }) ==
              ErrorCode::untrusted_identity);
        CHECK(store_snapshot(bob) == untouched);
    }
    SECTION("Alice's whisper delivered as Carol's: no session with Carol") {
        MemoryProtocolStore bob = world.bob;
        const std::string untouched = store_snapshot(bob);
        CHECK(refusal([&] { decrypt(bob, world.carol_address, CiphertextType::whisper, world.alice_whispers[0]); }) ==
              ErrorCode::no_session);
        CHECK(store_snapshot(bob) == untouched);
    }
}
