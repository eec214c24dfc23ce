#include <catch2/catch.hpp>

#include "cliquet/cliquet.hpp"
#include "crypto/curve25519.hpp"

using namespace cliquet;

// Verification allocates (OpenSSL's big numbers): running out of memory must
// reach the caller as std::bad_alloc, never turn into "does not verify". A
// noexcept verdict could only swallow it or terminate.
static_assert(!noexcept(crypto::xeddsa_verify(std::declval<std::span<const std::uint8_t, 32>>(), ByteView{},
                                              ByteView{})));
static_assert(!noexcept(crypto::is_canonical_public_key(std::declval<std::span<const std::uint8_t, 32>>())));
static_assert(!noexcept(std::declval<const PublicKey&>().verify(ByteView{}, ByteView{})));
static_assert(!noexcept(std::declval<const ServerCertificate&>().is_valid(std::declval<const PublicKey&>())));
static_assert(!noexcept(std::declval<const SenderCertificate&>().is_valid(std::declval<const PublicKey&>(),
                                                                          Timestamp{})));
static_assert(!noexcept(std::declval<const SenderKeyMessage&>().verify_signature(std::declval<const PublicKey&>())));

TEST_CASE("public keys are 33 bytes of type 5", "[keys]") {
    const auto pair = KeyPair::generate();
    const Bytes bytes = pair.public_key.serialize();
    REQUIRE(bytes.size() == 33);
    CHECK(bytes[0] == 0x05);
    CHECK(PublicKey::deserialize(bytes) == pair.public_key);

    Bytes wrong_type = bytes;
    wrong_type[0] = 0x06;
    Bytes too_long = bytes;
    too_long.push_back(0);
    const Bytes too_short(bytes.begin(), bytes.end() - 1);
    for (const Bytes& bad : {wrong_type, too_long, too_short, Bytes{}}) {
        try {
            (void)PublicKey::deserialize(bad);
            FAIL("accepted a malformed public key");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_key);
        }
    }
}

TEST_CASE("private keys are clamped on the way in", "[keys]") {
    Bytes raw(32, 0xff);
    const auto key = PrivateKey::deserialize(raw);
    CHECK(key.secret().data()[0] == 0xf8);
    CHECK(key.secret().data()[31] == 0x7f);
    CHECK_THROWS_AS(PrivateKey::deserialize(Bytes(31, 1)), Error);
}

TEST_CASE("agreement is symmetric and refuses small-order points", "[keys]") {
    const auto alice = KeyPair::generate();
    const auto bob = KeyPair::generate();
    CHECK(alice.private_key.agree(bob.public_key) == bob.private_key.agree(alice.public_key));

    std::array<std::uint8_t, 32> zero{};
    CHECK_THROWS_AS(alice.private_key.agree(PublicKey::from_montgomery(zero)), Error);
}

TEST_CASE("XEdDSA signatures verify and forgeries do not", "[keys][xeddsa]") {
    const auto identity = IdentityKeyPair::generate();
    const Bytes message = {1, 2, 3, 4, 5};
    const Signature signature = identity.sign(message);
    CHECK(identity.public_key().verify(message, signature));

    for (std::size_t i = 0; i < signature.size(); ++i) {
        Signature tampered = signature;
        tampered[i] ^= 0x01;
        CHECK_FALSE(identity.public_key().verify(message, tampered));
    }
    Bytes other_message = message;
    other_message[0] ^= 1;
    CHECK_FALSE(identity.public_key().verify(other_message, signature));
    CHECK_FALSE(KeyPair::generate().public_key.verify(message, signature));
    CHECK_FALSE(identity.public_key().verify(message, ByteView(signature).first(63)));
}

TEST_CASE("identity key pairs round-trip through their protobuf", "[keys]") {
    const auto identity = IdentityKeyPair::generate();
    const auto restored = IdentityKeyPair::deserialize(identity.serialize().span());
    CHECK(restored.public_key() == identity.public_key());
    CHECK(restored.private_key().secret() == identity.private_key().secret());
    CHECK_THROWS_AS(IdentityKeyPair::deserialize(Bytes{0xff, 0xff}), Error);
}

// Verification remembers each key's Edwards image in a small table indexed by
// the key's first byte: keys that share a slot must each keep their own.
TEST_CASE("XEdDSA verification keeps keys that share a remembered slot apart", "[keys][xeddsa]") {
    const KeyPair first = KeyPair::generate();
    KeyPair second = KeyPair::generate();
    while ((second.public_key.montgomery()[0] & 63) != (first.public_key.montgomery()[0] & 63) ||
           second.public_key == first.public_key)
        second = KeyPair::generate();
    const Bytes message = {'g', 'r', 'o', 'u', 'p'};
    const Signature by_first = first.private_key.sign(message);
    const Signature by_second = second.private_key.sign(message);
    for (int round = 0; round < 3; ++round) {
        CHECK(first.public_key.verify(message, by_first));
        CHECK_FALSE(second.public_key.verify(message, by_first));
        CHECK(second.public_key.verify(message, by_second));
        CHECK_FALSE(first.public_key.verify(message, by_second));
    }
}
