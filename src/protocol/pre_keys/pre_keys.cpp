#include "cliquet/pre_keys.hpp"

#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "protocol/wire/proto_util.hpp"
#include "storage.pb.h"

namespace cliquet {
namespace {

// Pre-key records are small; a Kyber1024 one is about 4.8 KiB.
constexpr std::size_t kMaxRecordSize = 16 * 1024;

SecretBytes serialize_wiping(proto::storage::PreKeyRecordStructure& structure) {
    std::string encoded = structure.SerializeAsString();
    SecretBytes out(as_bytes(encoded));
    protocol::wipe_string(encoded);
    protocol::wipe_string(*structure.mutable_private_key());
    return out;
}

SecretBytes serialize_wiping(proto::storage::SignedPreKeyRecordStructure& structure) {
    std::string encoded = structure.SerializeAsString();
    SecretBytes out(as_bytes(encoded));
    protocol::wipe_string(encoded);
    protocol::wipe_string(*structure.mutable_private_key());
    return out;
}

Signature signature_from(const std::string& bytes, const char* what) {
    if (bytes.size() != kSignatureSize)
        throw Error(ErrorCode::storage, std::string(what) + " has a signature of the wrong length");
    Signature signature;
    std::copy(bytes.begin(), bytes.end(), signature.begin());
    return signature;
}

// Keys in a stored record must be well formed; say so as a storage error.
template <typename Parse>
auto stored_key(Parse parse, const char* what) {
    try {
        return parse();
    } catch (const Error& e) {
        throw Error(ErrorCode::storage, std::string(what) + ": " + e.what());
    }
}

KeyPair stored_key_pair(const std::string& public_bytes, const std::string& private_bytes, const char* what) {
    return stored_key(
        [&] {
            KeyPair pair = KeyPair::from_private(PrivateKey::deserialize(as_bytes(private_bytes)));
            if (pair.public_key != PublicKey::deserialize(as_bytes(public_bytes)))
                throw Error(ErrorCode::invalid_key, "public key does not match the private key");
            return pair;
        },
        what);
}

}  // namespace

// ---- one-time pre-keys ------------------------------------------------------

PreKeyRecord::PreKeyRecord(PreKeyId id, KeyPair key_pair) : id_(id), key_pair_(std::move(key_pair)) {}

PreKeyRecord PreKeyRecord::generate(PreKeyId id, RandomSource& random) {
    return PreKeyRecord(id, KeyPair::generate(random));
}

SecretBytes PreKeyRecord::serialize() const {
    proto::storage::PreKeyRecordStructure structure;
    structure.set_id(id_);
    const Bytes public_bytes = key_pair_.public_key.serialize();
    structure.set_public_key(public_bytes.data(), public_bytes.size());
    structure.set_private_key(key_pair_.private_key.secret().data(), kPrivateKeySize);
    return serialize_wiping(structure);
}

PreKeyRecord PreKeyRecord::deserialize(ByteView bytes) {
    proto::storage::PreKeyRecordStructure structure;
    protocol::parse_proto(structure, bytes, ErrorCode::storage, "pre-key record", kMaxRecordSize);
    KeyPair pair = stored_key_pair(structure.public_key(), structure.private_key(), "pre-key record");
    protocol::wipe_string(*structure.mutable_private_key());
    return PreKeyRecord(structure.id(), std::move(pair));
}

// ---- signed pre-keys --------------------------------------------------------

SignedPreKeyRecord::SignedPreKeyRecord(SignedPreKeyId id, Timestamp made_at, KeyPair key_pair,
                                       const Signature& signature)
    : id_(id), timestamp_(made_at), key_pair_(std::move(key_pair)), signature_(signature) {}

SignedPreKeyRecord SignedPreKeyRecord::generate(SignedPreKeyId id, const IdentityKeyPair& identity,
                                                Timestamp made_at, RandomSource& random) {
    KeyPair pair = KeyPair::generate(random);
    const Signature signature = identity.sign(pair.public_key.serialize(), random);
    return SignedPreKeyRecord(id, made_at, std::move(pair), signature);
}

SecretBytes SignedPreKeyRecord::serialize() const {
    proto::storage::SignedPreKeyRecordStructure structure;
    structure.set_id(id_);
    const Bytes public_bytes = key_pair_.public_key.serialize();
    structure.set_public_key(public_bytes.data(), public_bytes.size());
    structure.set_private_key(key_pair_.private_key.secret().data(), kPrivateKeySize);
    structure.set_signature(signature_.data(), signature_.size());
    structure.set_timestamp(unix_ms(timestamp_));
    return serialize_wiping(structure);
}

SignedPreKeyRecord SignedPreKeyRecord::deserialize(ByteView bytes) {
    proto::storage::SignedPreKeyRecordStructure structure;
    protocol::parse_proto(structure, bytes, ErrorCode::storage, "signed pre-key record", kMaxRecordSize);
    KeyPair pair = stored_key_pair(structure.public_key(), structure.private_key(), "signed pre-key record");
    protocol::wipe_string(*structure.mutable_private_key());
    return SignedPreKeyRecord(structure.id(), timestamp_from_unix_ms(structure.timestamp()), std::move(pair),
                              signature_from(structure.signature(), "signed pre-key record"));
}

// ---- Kyber pre-keys ---------------------------------------------------------

KyberPreKeyRecord::KyberPreKeyRecord(KyberPreKeyId id, Timestamp made_at, KemKeyPair key_pair,
                                     const Signature& signature)
    : id_(id), timestamp_(made_at), key_pair_(std::move(key_pair)), signature_(signature) {}

KyberPreKeyRecord KyberPreKeyRecord::generate(KyberPreKeyId id, const IdentityKeyPair& identity,
                                              Timestamp made_at, RandomSource& random, KemType type) {
    KemKeyPair pair = KemKeyPair::generate(type, random);
    const Signature signature = identity.sign(pair.public_key.serialize(), random);
    return KyberPreKeyRecord(id, made_at, std::move(pair), signature);
}

SecretBytes KyberPreKeyRecord::serialize() const {
    proto::storage::SignedPreKeyRecordStructure structure;
    structure.set_id(id_);
    const Bytes public_bytes = key_pair_.public_key.serialize();
    structure.set_public_key(public_bytes.data(), public_bytes.size());
    const SecretBytes secret_bytes = key_pair_.secret_key.serialize();
    structure.set_private_key(secret_bytes.data(), secret_bytes.size());
    structure.set_signature(signature_.data(), signature_.size());
    structure.set_timestamp(unix_ms(timestamp_));
    return serialize_wiping(structure);
}

KyberPreKeyRecord KyberPreKeyRecord::deserialize(ByteView bytes) {
    proto::storage::SignedPreKeyRecordStructure structure;
    protocol::parse_proto(structure, bytes, ErrorCode::storage, "Kyber pre-key record", kMaxRecordSize);
    KemPublicKey public_key =
        stored_key([&] { return KemPublicKey::deserialize(as_bytes(structure.public_key())); }, "Kyber pre-key record");
    KemSecretKey secret_key =
        stored_key([&] { return KemSecretKey::deserialize(as_bytes(structure.private_key())); }, "Kyber pre-key record");
    protocol::wipe_string(*structure.mutable_private_key());
    if (public_key.type() != secret_key.type())
        throw Error(ErrorCode::storage, "Kyber pre-key record holds keys of two different types");
    return KyberPreKeyRecord(structure.id(), timestamp_from_unix_ms(structure.timestamp()),
                             KemKeyPair{std::move(public_key), std::move(secret_key)},
                             signature_from(structure.signature(), "Kyber pre-key record"));
}

}  // namespace cliquet
