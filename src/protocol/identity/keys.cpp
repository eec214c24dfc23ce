#include "cliquet/keys.hpp"

#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "crypto/curve25519.hpp"
#include "protocol/wire/proto_util.hpp"
#include "storage.pb.h"

namespace cliquet {

PublicKey::PublicKey(std::span<const std::uint8_t, 32> u) noexcept {
    std::copy(u.begin(), u.end(), u_.begin());
}

PublicKey PublicKey::deserialize(ByteView bytes) {
    if (bytes.empty()) throw Error(ErrorCode::invalid_key, "public key is empty");
    if (bytes[0] != kDjbKeyType)
        throw Error(ErrorCode::invalid_key, "public key has unknown type byte " + std::to_string(bytes[0]));
    if (bytes.size() != kPublicKeySize)
        throw Error(ErrorCode::invalid_key, "public key is " + std::to_string(bytes.size()) + " bytes, not 33");
    return PublicKey(bytes.subspan<1, 32>());
}

PublicKey PublicKey::from_montgomery(std::span<const std::uint8_t, 32> u) noexcept { return PublicKey(u); }

Bytes PublicKey::serialize() const {
    Bytes out;
    out.reserve(kPublicKeySize);
    out.push_back(kDjbKeyType);
    out.insert(out.end(), u_.begin(), u_.end());
    return out;
}

bool PublicKey::verify(ByteView message, ByteView signature) const {
    return crypto::xeddsa_verify(u_, message, signature);
}

PrivateKey PrivateKey::generate(RandomSource& random) {
    SecretArray<32> scalar;
    random.fill(scalar.span());
    crypto::clamp_x25519_scalar(scalar.span());
    return PrivateKey(scalar);
}

PrivateKey PrivateKey::deserialize(ByteView bytes) {
    if (bytes.size() != kPrivateKeySize)
        throw Error(ErrorCode::invalid_key, "private key is " + std::to_string(bytes.size()) + " bytes, not 32");
    SecretArray<32> scalar(bytes.first<32>());
    crypto::clamp_x25519_scalar(scalar.span());
    return PrivateKey(scalar);
}

PublicKey PrivateKey::public_key() const {
    const auto u = crypto::x25519_base(scalar_);
    return PublicKey::from_montgomery(u);
}

SecretArray<32> PrivateKey::agree(const PublicKey& their_key) const {
    return crypto::x25519(scalar_, their_key.montgomery());
}

Signature PrivateKey::sign(ByteView message, RandomSource& random) const {
    return crypto::xeddsa_sign(scalar_, message, random);
}

KeyPair KeyPair::generate(RandomSource& random) { return from_private(PrivateKey::generate(random)); }

KeyPair KeyPair::from_private(PrivateKey private_key) {
    PublicKey public_key = private_key.public_key();
    return KeyPair{public_key, std::move(private_key)};
}

IdentityKeyPair IdentityKeyPair::generate(RandomSource& random) {
    return IdentityKeyPair(PrivateKey::generate(random));
}

IdentityKeyPair::IdentityKeyPair(PrivateKey private_key)
    : public_key_(private_key.public_key()), private_key_(std::move(private_key)) {}

IdentityKeyPair::IdentityKeyPair(IdentityKey public_key, PrivateKey private_key)
    : public_key_(public_key), private_key_(std::move(private_key)) {
    if (private_key_.public_key() != public_key_)
        throw Error(ErrorCode::invalid_key, "identity public key does not match its private key");
}

SecretBytes IdentityKeyPair::serialize() const {
    proto::storage::IdentityKeyPairStructure structure;
    const Bytes public_bytes = public_key_.serialize();
    structure.set_public_key(public_bytes.data(), public_bytes.size());
    structure.set_private_key(private_key_.secret().data(), private_key_.secret().size());
    std::string encoded = structure.SerializeAsString();
    SecretBytes out(as_bytes(encoded));
    secure_wipe(encoded.data(), encoded.size());
    secure_wipe(structure.mutable_private_key()->data(), structure.private_key().size());
    return out;
}

IdentityKeyPair IdentityKeyPair::deserialize(ByteView bytes) {
    proto::storage::IdentityKeyPairStructure structure;
    protocol::parse_proto(structure, bytes, ErrorCode::invalid_key, "identity key pair", 1024);
    auto private_key = PrivateKey::deserialize(as_bytes(structure.private_key()));
    secure_wipe(structure.mutable_private_key()->data(), structure.private_key().size());
    return IdentityKeyPair(PublicKey::deserialize(as_bytes(structure.public_key())), std::move(private_key));
}

}  // namespace cliquet

