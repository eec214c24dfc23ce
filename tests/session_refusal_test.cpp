// Every refusal of the session layer, and the promise that a refused
// operation leaves every store exactly as it was.
#include <catch2/catch.hpp>

#include "crypto/curve25519.hpp"
#include "session_helpers.hpp"
#include "wire.pb.h"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

// A started session: Alice has sent one pre-key message, which Bob has read.
struct Pair {
    Device alice{"alice", 1};
    Device bob{"bob", 2};

    explicit Pair(int version) {
        alice.allow_version(version);
        bob.allow_version(version);
        alice.start_session(bob.address,
                              bob.bundle(1, 1, version == 4 ? std::optional<KyberPreKeyId>(1) : std::nullopt));
        REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "hello")) == "hello");
    }
};

// Decrypting `message` must fail with `code` and change nothing at all.
void check_refused_intact(Device& receiver, const Device& sender, const CiphertextMessage& message, ErrorCode code) {
    const std::string before = receiver.snapshot();
    CHECK(error_of([&] { receiver.decrypt_from(sender, message); }) == code);
    CHECK(receiver.snapshot() == before);
}

Bytes with_counter(const Bytes& whisper, std::uint32_t counter) {
    proto::wire::SignalMessage body;
    REQUIRE(body.ParseFromArray(whisper.data() + 1, static_cast<int>(whisper.size() - 1 - kMessageMacSize)));
    body.set_counter(counter);
    Bytes out{whisper[0]};
    const std::string encoded = body.SerializeAsString();
    out.insert(out.end(), encoded.begin(), encoded.end());
    out.insert(out.end(), whisper.end() - kMessageMacSize, whisper.end());
    return out;
}

}  // namespace

TEST_CASE("a forged signed pre-key signature is refused", "[session][refusal]") {
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(3);
    auto bundle = bob.bundle(1, 1, std::nullopt);
    bundle.signed_pre_key_signature[5] ^= 0x01;
    const std::string before = alice.snapshot();
    CHECK(error_of([&] { alice.start_session(bob.address, bundle); }) == ErrorCode::invalid_signature);
    CHECK(alice.snapshot() == before);
    // A valid signature by another identity is a forgery too.
    auto other = bob.bundle(2, 2, std::nullopt);
    other.signed_pre_key_signature = IdentityKeyPair::generate().sign(other.signed_pre_key.serialize());
    CHECK(error_of([&] { alice.start_session(bob.address, other); }) == ErrorCode::invalid_signature);
}

TEST_CASE("a forged Kyber pre-key signature is refused", "[session][refusal]") {
    Device alice("alice", 1), bob("bob", 2);
    auto bundle = bob.bundle(1, 1, 1);
    (*bundle.kyber_pre_key_signature)[0] ^= 0x80;
    const std::string before = alice.snapshot();
    CHECK(error_of([&] { alice.start_session(bob.address, bundle); }) == ErrorCode::invalid_signature);
    CHECK(alice.snapshot() == before);
    // The signed pre-key's signature does not cover the Kyber key.
    auto swapped = bob.bundle(2, 2, 2);
    swapped.kyber_pre_key_signature = swapped.signed_pre_key_signature;
    CHECK(error_of([&] { alice.start_session(bob.address, swapped); }) == ErrorCode::invalid_signature);
}

TEST_CASE("an incomplete bundle is refused", "[session][refusal]") {
    Device alice("alice", 1), bob("bob", 2);
    auto no_id = bob.bundle(1, 1, std::nullopt);
    no_id.pre_key_id.reset();
    CHECK(error_of([&] { alice.start_session(bob.address, no_id); }) == ErrorCode::invalid_argument);
    auto no_kyber_signature = bob.bundle(2, 2, 1);
    no_kyber_signature.kyber_pre_key_signature.reset();
    CHECK(error_of([&] { alice.start_session(bob.address, no_kyber_signature); }) ==
          ErrorCode::invalid_argument);
    CHECK(alice.store->sessions().all().empty());
}

TEST_CASE("a changed identity is untrusted", "[session][refusal]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    const auto kyber = version == 4 ? std::optional<KyberPreKeyId>(5) : std::nullopt;

    SECTION("in a bundle") {
        Device impostor("bob", 2);
        const auto bundle = impostor.bundle(5, 5, kyber);
        const std::string before = pair.alice.snapshot();
        CHECK(error_of([&] { pair.alice.start_session(pair.bob.address, bundle); }) ==
              ErrorCode::untrusted_identity);
        CHECK(pair.alice.snapshot() == before);
    }
    SECTION("in a pre-key message") {
        Device impostor("alice", 1);
        impostor.allow_version(version);
        impostor.start_session(pair.bob.address, pair.bob.bundle(5, 5, kyber));
        check_refused_intact(pair.bob, impostor, impostor.encrypt_to(pair.bob, "hi"), ErrorCode::untrusted_identity);
    }
    SECTION("when decrypting or encrypting on an existing session") {
        const auto message = pair.alice.encrypt_to(pair.bob, "again");
        (void)pair.bob.store->identities().save_identity(pair.alice.address, IdentityKeyPair::generate().public_key());
        check_refused_intact(pair.bob, pair.alice, message, ErrorCode::untrusted_identity);
        const std::string before = pair.bob.snapshot();
        CHECK(error_of([&] { pair.bob.encrypt_to(pair.alice, "x"); }) == ErrorCode::untrusted_identity);
        CHECK(pair.bob.snapshot() == before);
    }
}

TEST_CASE("unknown and used pre-keys are refused", "[session][refusal]") {
    const int version = GENERATE(3, 4);
    const auto kyber = version == 4 ? std::optional<KyberPreKeyId>(3) : std::nullopt;
    Device alice("alice", 1), carol("carol", 3), bob("bob", 2);
    for (Device* device : {&alice, &carol, &bob}) device->allow_version(version);
    const auto bundle = bob.bundle(1, 1, kyber);
    alice.start_session(bob.address, bundle);
    carol.start_session(bob.address, bundle);

    SECTION("a one-time pre-key used a second time") {
        CHECK(bob.decrypt_from(alice, alice.encrypt_to(bob, "first")) == "first");
        check_refused_intact(bob, carol, carol.encrypt_to(bob, "second"), ErrorCode::invalid_pre_key);
    }
    SECTION("a one-time pre-key never issued") {
        bob.store->pre_keys().remove_pre_key(1);
        check_refused_intact(bob, alice, alice.encrypt_to(bob, "x"), ErrorCode::invalid_pre_key);
    }
    SECTION("a signed pre-key never issued") {
        Device dave("dave", 4);
        dave.allow_version(version);
        // Bob publishes a signed pre-key (id 77) and then loses it.
        Device lossy("bob", 2);
        lossy.store = std::make_unique<MemoryProtocolStore>(bob.identity(), 2);
        const auto lost = lossy.bundle(std::nullopt, 77, kyber);
        dave.start_session(bob.address, lost);
        check_refused_intact(bob, dave, dave.encrypt_to(bob, "x"), ErrorCode::invalid_pre_key);
    }
}

TEST_CASE("an unknown Kyber pre-key is refused", "[session][refusal]") {
    Device alice("alice", 1), bob("bob", 2);
    Device twin("bob", 2);
    twin.store = std::make_unique<MemoryProtocolStore>(bob.identity(), 2);
    // The twin's bundle has the same identity but a Kyber key Bob never had;
    // give Bob the twin's signed pre-key so only the Kyber key is missing.
    const auto bundle = twin.bundle(std::nullopt, 1, 9);
    bob.store->signed_pre_keys().store_signed_pre_key(*twin.store->signed_pre_keys().load_signed_pre_key(1));
    alice.start_session(bob.address, bundle);
    check_refused_intact(bob, alice, alice.encrypt_to(bob, "x"), ErrorCode::invalid_pre_key);
}

TEST_CASE("counter jumps beyond 25000 are refused before deriving keys", "[session][refusal]") {
    Pair pair(3);
    const auto reply = pair.bob.encrypt_to(pair.alice, "reply");  // counter 0 on Bob's chain
    CHECK(pair.alice.decrypt_from(pair.bob, reply) == "reply");   // Alice's chain index is now 1
    const auto next = pair.bob.encrypt_to(pair.alice, "next");

    const CiphertextMessage far{CiphertextType::whisper, with_counter(next.bytes, 1 + 25001)};
    const std::string before = pair.alice.snapshot();
    CHECK_THROWS_WITH(pair.alice.decrypt_from(pair.bob, far), Catch::Contains("25000"));
    CHECK(pair.alice.snapshot() == before);
    // At the bound, keys are derived; this forged counter then fails its MAC.
    const CiphertextMessage at_bound{CiphertextType::whisper, with_counter(next.bytes, 1 + 25000)};
    CHECK_THROWS_WITH(pair.alice.decrypt_from(pair.bob, at_bound), Catch::Contains("MAC"));
    CHECK(pair.alice.snapshot() == before);
    CHECK(pair.alice.decrypt_from(pair.bob, next) == "next");
}

TEST_CASE("tampered, truncated and malformed session messages are refused intact", "[session][refusal]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    const auto message = pair.bob.encrypt_to(pair.alice, "a secret");
    REQUIRE(message.type == CiphertextType::whisper);

    for (std::size_t i = 0; i < message.bytes.size(); ++i) {
        CiphertextMessage tampered = message;
        tampered.bytes[i] ^= 0x01;
        check_refused_intact(pair.alice, pair.bob, tampered, ErrorCode::invalid_message);
    }
    for (std::size_t length = 0; length < message.bytes.size(); ++length) {
        CiphertextMessage truncated{message.type, Bytes(message.bytes.begin(),
                                                        message.bytes.begin() + static_cast<std::ptrdiff_t>(length))};
        check_refused_intact(pair.alice, pair.bob, truncated, ErrorCode::invalid_message);
    }
    const std::uint8_t other_version = version == 3 ? 0x44 : 0x33;
    for (std::uint8_t version_byte : {std::uint8_t{0x23}, std::uint8_t{0x53}, std::uint8_t{0x03}, std::uint8_t{0xf4}, other_version}) {
        CiphertextMessage wrong = message;
        wrong.bytes[0] = version_byte;
        check_refused_intact(pair.alice, pair.bob, wrong, ErrorCode::invalid_message);
    }
    const CiphertextMessage garbage{CiphertextType::whisper, Bytes{0x33, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8}};
    check_refused_intact(pair.alice, pair.bob, garbage, ErrorCode::invalid_message);
    const CiphertextMessage pre_key_garbage{CiphertextType::pre_key, Bytes{0x33, 0x0a, 0xff}};
    check_refused_intact(pair.alice, pair.bob, pre_key_garbage, ErrorCode::invalid_message);
    CHECK(pair.alice.decrypt_from(pair.bob, message) == "a secret");
}

TEST_CASE("a tampered pre-key message is refused and consumes nothing", "[session][refusal]") {
    const int version = GENERATE(3, 4);
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(version);
    bob.allow_version(version);
    alice.start_session(bob.address,
                        bob.bundle(1, 1, version == 4 ? std::optional<KyberPreKeyId>(1) : std::nullopt));
    const auto message = alice.encrypt_to(bob, "hello");
    for (std::size_t i = 0; i < message.bytes.size(); i += 7) {
        CiphertextMessage tampered = message;
        // The version byte's low nibble is the sender's newest version,
        // which receivers ignore; flip the message version instead.
        tampered.bytes[i] ^= i == 0 ? 0x40 : 0x04;
        const std::string before = bob.snapshot();
        try {
            bob.decrypt_from(alice, tampered);
            FAIL("accepted a tampered pre-key message at byte " << i);
        } catch (const Error&) {
        }
        CHECK(bob.snapshot() == before);
    }
    // What libsignal 0.72 sends: 0x34 for an X3DH message, 0x44 for PQXDH.
    CiphertextMessage newest_low_nibble = message;
    newest_low_nibble.bytes[0] = static_cast<std::uint8_t>((version << 4) | 4);
    CHECK(bob.decrypt_from(alice, newest_low_nibble) == "hello");
    CHECK(bob.store->pre_keys().all().empty());
}

TEST_CASE("replayed session messages are duplicates and change nothing", "[session][refusal]") {
    Pair pair(4);
    const auto message = pair.bob.encrypt_to(pair.alice, "once");
    CHECK(pair.alice.decrypt_from(pair.bob, message) == "once");
    check_refused_intact(pair.alice, pair.bob, message, ErrorCode::duplicate_message);
}

TEST_CASE("no session, no encryption", "[session][refusal]") {
    Device alice("alice", 1), bob("bob", 2);
    CHECK(error_of([&] { alice.encrypt_to(bob, "x"); }) == ErrorCode::no_session);
    Pair pair(3);
    const auto message = pair.alice.encrypt_to(pair.bob, "x");
    const auto whisper = pair.bob.encrypt_to(pair.alice, "y");
    check_refused_intact(alice, pair.bob, whisper, ErrorCode::no_session);
    CHECK(
        error_of([&] {
            (void)SessionCipher(*alice.store, alice.address, bob.address).decrypt(CiphertextType::sender_key, Bytes{1});
        }) == ErrorCode::invalid_argument);
}

TEST_CASE("canonical public keys are those libsignal accepts as base keys", "[session][refusal]") {
    const auto u = [](std::uint8_t low) {
        std::array<std::uint8_t, 32> bytes{};
        bytes[0] = low;
        return bytes;
    };
    CHECK(crypto::is_canonical_public_key(u(9)));    // the base point
    CHECK(crypto::is_canonical_public_key(u(16)));   // another point of prime order
    CHECK_FALSE(crypto::is_canonical_public_key(u(10)));  // torsion component
    CHECK_FALSE(crypto::is_canonical_public_key(u(2)));   // on the twist
    CHECK_FALSE(crypto::is_canonical_public_key(u(0)));   // small order
    CHECK(crypto::is_canonical_public_key(KeyPair::generate().public_key.montgomery()));
}

TEST_CASE("a pre-key message with a non-canonical base key is refused", "[session][refusal]") {
    Device alice("alice", 1), bob("bob", 2);
    alice.allow_version(3);
    bob.allow_version(3);
    alice.start_session(bob.address, bob.bundle(1, 1, std::nullopt));
    const auto message = alice.encrypt_to(bob, "hello");
    proto::wire::PreKeySignalMessage body;
    REQUIRE(body.ParseFromArray(message.bytes.data() + 1, static_cast<int>(message.bytes.size() - 1)));
    const std::string honest = body.base_key();

    const auto reframed = [&](const std::string& base_key) {
        body.set_base_key(base_key);
        CiphertextMessage out{CiphertextType::pre_key, Bytes{message.bytes[0]}};
        const std::string encoded = body.SerializeAsString();
        out.bytes.insert(out.bytes.end(), encoded.begin(), encoded.end());
        return out;
    };
    const auto refused_as_non_canonical = [&](const std::string& base_key) {
        const std::string before = bob.snapshot();
        CHECK_THROWS_WITH(bob.decrypt_from(alice, reframed(base_key)), Catch::Contains("not canonical"));
        CHECK(bob.snapshot() == before);
    };
    std::string top_bit = honest;
    top_bit[32] = static_cast<char>(top_bit[32] | 0x80);  // the same u, encoded with bit 255 set
    refused_as_non_canonical(top_bit);
    std::string above_p = honest;  // p + 1: an unreduced encoding of u = 1
    above_p.replace(1, 32, std::string("\xee") + std::string(30, '\xff') + "\x7f");
    refused_as_non_canonical(above_p);
    std::string torsion = honest;  // u = 10: on the curve, with a component of small order
    torsion.replace(1, 32, std::string("\x0a") + std::string(31, '\0'));
    refused_as_non_canonical(torsion);
    std::string twist = honest;  // u = 2 lies on the quadratic twist, not on the curve
    twist.replace(1, 32, std::string("\x02") + std::string(31, '\0'));
    refused_as_non_canonical(twist);
    CHECK(bob.decrypt_from(alice, reframed(honest)) == "hello");
}
