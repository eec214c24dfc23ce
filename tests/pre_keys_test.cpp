#include <catch2/catch.hpp>

#include <cstdint>
#include <type_traits>

#include "cliquet/error.hpp"
#include "cliquet/pre_keys.hpp"
#include "storage.pb.h"

using namespace cliquet;

// Pre-key ids of different kinds never stand for one another, not even
// through an explicit construction, while numbers still convert both ways.
static_assert(!std::is_convertible_v<SignedPreKeyId, PreKeyId>);
static_assert(!std::is_constructible_v<PreKeyId, SignedPreKeyId>);
static_assert(!std::is_constructible_v<KyberPreKeyId, PreKeyId>);
static_assert(!std::is_constructible_v<SignedPreKeyId, KyberPreKeyId>);
static_assert(!std::is_assignable_v<PreKeyId&, KyberPreKeyId>);
static_assert(!std::is_assignable_v<KyberPreKeyId&, SignedPreKeyId>);
static_assert(std::is_constructible_v<PreKeyId, std::uint32_t> && std::is_convertible_v<KyberPreKeyId, std::uint32_t>);
static_assert(std::is_copy_constructible_v<SignedPreKeyId> && std::is_copy_assignable_v<SignedPreKeyId>);

namespace {

template <typename Record>
ErrorCode code_of(ByteView bytes) {
    try {
        (void)Record::deserialize(bytes);
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::invalid_argument;
}

}  // namespace

TEST_CASE("pre-key records round-trip through libsignal's structures", "[pre_keys]") {
    const auto identity = IdentityKeyPair::generate();

    const auto pre_key = PreKeyRecord::generate(17);
    const auto pre_key_back = PreKeyRecord::deserialize(pre_key.serialize().span());
    CHECK(pre_key_back.id() == 17);
    CHECK(pre_key_back.key_pair().public_key == pre_key.key_pair().public_key);
    CHECK(pre_key_back.serialize() == pre_key.serialize());

    const auto signed_pre_key = SignedPreKeyRecord::generate(3, identity, timestamp_from_unix_ms(123456789));
    CHECK(identity.public_key().verify(signed_pre_key.key_pair().public_key.serialize(), signed_pre_key.signature()));
    const auto signed_back = SignedPreKeyRecord::deserialize(signed_pre_key.serialize().span());
    CHECK(signed_back.id() == 3);
    CHECK(signed_back.timestamp() == timestamp_from_unix_ms(123456789));
    CHECK(signed_back.signature() == signed_pre_key.signature());
    CHECK(signed_back.serialize() == signed_pre_key.serialize());

    const auto kyber = KyberPreKeyRecord::generate(9, identity, timestamp_from_unix_ms(42));
    const Bytes kyber_public = kyber.key_pair().public_key.serialize();
    CHECK(kyber_public.size() == 1569);
    CHECK(kyber_public[0] == 0x08);
    CHECK(identity.public_key().verify(kyber_public, kyber.signature()));
    const auto kyber_back = KyberPreKeyRecord::deserialize(kyber.serialize().span());
    CHECK(kyber_back.id() == 9);
    CHECK(kyber_back.key_pair().public_key == kyber.key_pair().public_key);
    CHECK(kyber_back.serialize() == kyber.serialize());
    // The stored keys work: what the public key encapsulates, the secret opens.
    const auto encapsulation = kyber_back.key_pair().public_key.encapsulate();
    CHECK(kyber.key_pair().secret_key.decapsulate(encapsulation.ciphertext) == encapsulation.shared_secret);
}

TEST_CASE("malformed pre-key records are storage errors", "[pre_keys]") {
    const auto identity = IdentityKeyPair::generate();
    const Bytes garbage = {0xff, 0xff, 0xff};
    CHECK(code_of<PreKeyRecord>(garbage) == ErrorCode::storage);
    CHECK(code_of<SignedPreKeyRecord>(garbage) == ErrorCode::storage);
    CHECK(code_of<KyberPreKeyRecord>(garbage) == ErrorCode::storage);

    proto::storage::PreKeyRecordStructure mismatched;
    const auto pair = KeyPair::generate();
    const Bytes other_public = KeyPair::generate().public_key.serialize();
    mismatched.set_id(1);
    mismatched.set_public_key(other_public.data(), other_public.size());
    mismatched.set_private_key(pair.private_key.secret().data(), 32);
    const std::string encoded = mismatched.SerializeAsString();
    CHECK(code_of<PreKeyRecord>(as_bytes(encoded)) == ErrorCode::storage);

    proto::storage::SignedPreKeyRecordStructure short_signature;
    const SecretBytes good = SignedPreKeyRecord::generate(1, identity, Timestamp{}).serialize();
    REQUIRE(short_signature.ParseFromArray(good.data(), static_cast<int>(good.size())));
    short_signature.set_signature("short");
    const std::string short_encoded = short_signature.SerializeAsString();
    CHECK(code_of<SignedPreKeyRecord>(as_bytes(short_encoded)) == ErrorCode::storage);

    proto::storage::SignedPreKeyRecordStructure wrong_kem;
    const SecretBytes kyber = KyberPreKeyRecord::generate(1, identity, Timestamp{}).serialize();
    REQUIRE(wrong_kem.ParseFromArray(kyber.data(), static_cast<int>(kyber.size())));
    wrong_kem.mutable_public_key()->resize(100);
    const std::string wrong_encoded = wrong_kem.SerializeAsString();
    CHECK(code_of<KyberPreKeyRecord>(as_bytes(wrong_encoded)) == ErrorCode::storage);
}
