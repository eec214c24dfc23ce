// Pre-key envelopes forged from public data around genuine messages, as an
// attacker (the server, or anyone who sees a message in transit) builds
// them. A pre-key message's envelope is under no MAC: only the state the
// envelope sets up, or the existing state its base key names with the same
// identity, may open the message inside, and a refusal changes nothing.
#include <catch2/catch.hpp>

#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

constexpr std::size_t kKyber1024CiphertextSize = 1568;

Bytes random_bytes(std::size_t size) {
    Bytes out(size);
    system_random().fill(out);
    return out;
}

// A Kyber1024 ciphertext as the wire carries it (type byte first), of random
// bytes: well formed, and decapsulating to garbage.
KyberPayload random_kyber_payload(KyberPreKeyId id) {
    Bytes ciphertext{0x08};
    const Bytes body = random_bytes(kKyber1024CiphertextSize);
    ciphertext.insert(ciphertext.end(), body.begin(), body.end());
    return KyberPayload{id, std::move(ciphertext)};
}

// Wraps a genuine whisper message in a version-4 pre-key envelope naming
// whatever the attacker chooses: all of it public.
CiphertextMessage forged_envelope(const Bytes& whisper, const IdentityKey& claimed_identity, const PublicKey& base_key,
                                  std::optional<PreKeyId> pre_key_id, SignedPreKeyId signed_pre_key_id,
                                  KyberPreKeyId kyber_pre_key_id) {
    const auto envelope = PreKeySignalMessage::create(4, 4242, pre_key_id, signed_pre_key_id,
                                                      random_kyber_payload(kyber_pre_key_id), base_key,
                                                      claimed_identity, SignalMessage::deserialize(whisper));
    return {CiphertextType::pre_key, envelope.serialize()};
}

PublicKey random_base_key() { return KeyPair::generate().public_key; }

// Makes the peer's messages whispers: Bob answers and Alice reads it.
void acknowledge(Device& alice, Device& bob) {
    REQUIRE(alice.decrypt_from(bob, bob.encrypt_to(alice, "ack")) == "ack");
}

}  // namespace

TEST_CASE("a forged envelope does not get past a changed identity", "[session][forgery]") {
    Device alice_before("alice", 1), bob("bob", 2);
    alice_before.start_session(bob.address, bob.bundle(1, 1, 1));
    const CiphertextMessage old_first = alice_before.encrypt_to(bob, "hello");
    REQUIRE(bob.decrypt_from(alice_before, old_first) == "hello");
    acknowledge(alice_before, bob);
    const CiphertextMessage old_whisper = alice_before.encrypt_to(bob, "from the old installation");
    REQUIRE(old_whisper.type == CiphertextType::whisper);
    // Seen on the wire in the old session's first message.
    const PublicKey old_base_key = PreKeySignalMessage::deserialize(old_first.bytes).base_key();

    // Alice reinstalls: a new identity. Bob's user accepts the new safety
    // number, and her first message sets up the new session.
    Device alice("alice", 1);
    alice.start_session(bob.address, bob.bundle(2, 2, 2));
    (void)bob.store->identities().save_identity(alice.address, alice.identity().public_key());
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "new me")) == "new me");
    REQUIRE(bob.store->sessions().load_session(alice.address)->archived_state_count() == 1);

    // The old installation's message is refused as it is...
    const std::string untouched = bob.snapshot();
    CHECK(error_of([&] { bob.decrypt_from(alice, old_whisper); }) == ErrorCode::untrusted_identity);
    CHECK(bob.snapshot() == untouched);

    const IdentityKey new_identity = alice.identity().public_key();
    const PreKeyBundle published = bob.bundle(std::nullopt, 3, 3);
    const std::string with_bundle = bob.snapshot();
    SECTION("wrapped with a random base key naming the new identity") {
        const auto forged = forged_envelope(old_whisper.bytes, new_identity, random_base_key(), std::nullopt,
                                            published.signed_pre_key_id, *published.kyber_pre_key_id);
        CHECK(error_of([&] { bob.decrypt_from(alice, forged); }) == ErrorCode::invalid_message);
    }
    SECTION("wrapped with the old session's base key naming the new identity") {
        const auto forged = forged_envelope(old_whisper.bytes, new_identity, old_base_key, std::nullopt, 1, 1);
        CHECK(error_of([&] { bob.decrypt_from(alice, forged); }) == ErrorCode::invalid_message);
    }
    CHECK(bob.snapshot() == with_bundle);
    // Bob still talks to the new installation, not the old one.
    CHECK(alice.decrypt_from(bob, bob.encrypt_to(alice, "still you?")) == "still you?");
}

TEST_CASE("an envelope of public data around a seen whisper message changes nothing", "[session][forgery]") {
    Device alice("alice", 1), bob("bob", 2), carol("carol", 3);
    // An old session with a message still in flight, archived by a new one.
    alice.start_session(bob.address, bob.bundle(1, 1, 1));
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "first session")) == "first session");
    acknowledge(alice, bob);
    const CiphertextMessage late = alice.encrypt_to(bob, "late, on the first session");
    alice.start_session(bob.address, bob.bundle(2, 2, 2));
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "second session")) == "second session");
    acknowledge(alice, bob);
    const CiphertextMessage whisper = alice.encrypt_to(bob, "seen in transit");
    REQUIRE(whisper.type == CiphertextType::whisper);

    // Bob's bundle for the next sender: its ids are public.
    const PreKeyBundle published = bob.bundle(3, 3, 3);
    const std::string untouched = bob.snapshot();
    const IdentityKey alice_identity = alice.identity().public_key();
    // More envelopes than the archive holds states: none may push one out.
    for (int i = 0; i < 41; ++i) {
        INFO("envelope " << i);
        const auto forged = forged_envelope(whisper.bytes, alice_identity, random_base_key(), published.pre_key_id,
                                            published.signed_pre_key_id, *published.kyber_pre_key_id);
        REQUIRE(error_of([&] { bob.decrypt_from(alice, forged); }) == ErrorCode::invalid_message);
        REQUIRE(bob.snapshot() == untouched);
    }
    // Without a one-time pre-key.
    const auto bare = forged_envelope(whisper.bytes, alice_identity, random_base_key(), std::nullopt,
                                      published.signed_pre_key_id, *published.kyber_pre_key_id);
    CHECK(error_of([&] { bob.decrypt_from(alice, bare); }) == ErrorCode::invalid_message);
    CHECK(bob.snapshot() == untouched);

    // The genuine message, the late one on the archived session, and the
    // next sender's use of the one-time and Kyber pre-keys all go through.
    CHECK(bob.decrypt_from(alice, whisper) == "seen in transit");
    CHECK(bob.decrypt_from(alice, late) == "late, on the first session");
    carol.start_session(bob.address, published);
    CHECK(bob.decrypt_from(carol, carol.encrypt_to(bob, "new sender")) == "new sender");
}

TEST_CASE("a replayed pre-key message is a duplicate, and its envelope cannot be rewritten", "[session][forgery]") {
    Device alice("alice", 1), bob("bob", 2), carol("carol", 3);
    alice.start_session(bob.address, bob.bundle(1, 1, 1));
    const CiphertextMessage first = alice.encrypt_to(bob, "hello");
    REQUIRE(bob.decrypt_from(alice, first) == "hello");
    const std::string untouched = bob.snapshot();
    CHECK(error_of([&] { bob.decrypt_from(alice, first); }) == ErrorCode::duplicate_message);
    CHECK(bob.snapshot() == untouched);

    // The same envelope claiming Carol's identity, delivered as Alice's or as
    // Carol's: the state its base key names is with Alice's key.
    const auto genuine = PreKeySignalMessage::deserialize(first.bytes);
    const auto claimed = PreKeySignalMessage::create(
        genuine.message_version(), genuine.registration_id(), genuine.pre_key_id(), genuine.signed_pre_key_id(),
        genuine.kyber(), genuine.base_key(), carol.identity().public_key(), genuine.message());
    const CiphertextMessage rewritten{CiphertextType::pre_key, claimed.serialize()};
    CHECK(error_of([&] { bob.decrypt_from(alice, rewritten); }) == ErrorCode::untrusted_identity);
    (void)bob.store->identities().save_identity(alice.address, carol.identity().public_key());
    const std::string trusting_carol = bob.snapshot();
    CHECK(error_of([&] { bob.decrypt_from(alice, rewritten); }) == ErrorCode::invalid_message);
    CHECK(bob.snapshot() == trusting_carol);
}

TEST_CASE("a bundle whose Kyber pre-key is ML-KEM, though signed, starts nothing: PQXDH takes Kyber1024",
          "[session][forgery]") {
    Device alice("alice", 1), bob("bob", 2);
    PreKeyBundle bundle = bob.bundle(1, 1, 1);
    // What a server that swapped in an ML-KEM-1024 key of Bob's would hand out.
    const KyberPreKeyRecord mlkem = KyberPreKeyRecord::generate(9, bob.identity(), cliquet::testing::kMadeAt,
                                                                system_random(), KemType::mlkem1024);
    bundle.kyber_pre_key_id = mlkem.id();
    bundle.kyber_pre_key = mlkem.key_pair().public_key;
    bundle.kyber_pre_key_signature = mlkem.signature();
    const std::string before = alice.snapshot();
    CHECK(error_of([&] { alice.start_session(bob.address, bundle); }) == ErrorCode::invalid_key);
    CHECK(alice.snapshot() == before);
}
