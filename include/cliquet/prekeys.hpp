// cliquet — pre-keys: what a device publishes so that others can start
// sessions with it while it is offline.
//
// A device keeps one-time pre-keys (Curve25519, used once), signed pre-keys
// (Curve25519, signed by the identity key, reused until rotated) and Kyber
// pre-keys (Kyber1024, signed by the identity key). A PreKeyBundle is the
// public half of one of each, as a server hands it out.
//
// Records serialize to libsignal's storage protobufs (PreKeyRecordStructure;
// SignedPreKeyRecordStructure for both signed and Kyber pre-keys), so a
// record written by one implementation reads in the other.
#pragma once

#include <cstdint>
#include <optional>

#include "cliquet/bytes.hpp"
#include "cliquet/kem.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/random.hpp"

namespace cliquet {

using PreKeyId = std::uint32_t;
using SignedPreKeyId = std::uint32_t;
using KyberPreKeyId = std::uint32_t;

class PreKeyRecord {
public:
    PreKeyRecord(PreKeyId id, KeyPair key_pair);
    static PreKeyRecord generate(PreKeyId id, RandomSource& random = system_random());

    PreKeyId id() const noexcept { return id_; }
    const KeyPair& key_pair() const noexcept { return key_pair_; }

    SecretBytes serialize() const;
    // Malformed bytes are Error(storage).
    static PreKeyRecord deserialize(ByteView bytes);

private:
    PreKeyId id_;
    KeyPair key_pair_;
};

class SignedPreKeyRecord {
public:
    SignedPreKeyRecord(SignedPreKeyId id, std::uint64_t timestamp_ms, KeyPair key_pair, const Signature& signature);
    // A fresh key pair whose serialized public key is signed by `identity`.
    static SignedPreKeyRecord generate(SignedPreKeyId id, const IdentityKeyPair& identity, std::uint64_t timestamp_ms,
                                       RandomSource& random = system_random());

    SignedPreKeyId id() const noexcept { return id_; }
    std::uint64_t timestamp_ms() const noexcept { return timestamp_ms_; }
    const KeyPair& key_pair() const noexcept { return key_pair_; }
    const Signature& signature() const noexcept { return signature_; }

    SecretBytes serialize() const;
    static SignedPreKeyRecord deserialize(ByteView bytes);

private:
    SignedPreKeyId id_;
    std::uint64_t timestamp_ms_;
    KeyPair key_pair_;
    Signature signature_;
};

// A KEM pre-key signed by the identity key; PQXDH uses Kyber1024 ones.
class KyberPreKeyRecord {
public:
    KyberPreKeyRecord(KyberPreKeyId id, std::uint64_t timestamp_ms, KemKeyPair key_pair, const Signature& signature);
    // A fresh key pair whose serialized public key (type byte included) is
    // signed by `identity`.
    static KyberPreKeyRecord generate(KyberPreKeyId id, const IdentityKeyPair& identity, std::uint64_t timestamp_ms,
                                      RandomSource& random = system_random(), KemType type = KemType::kyber1024);

    KyberPreKeyId id() const noexcept { return id_; }
    std::uint64_t timestamp_ms() const noexcept { return timestamp_ms_; }
    const KemKeyPair& key_pair() const noexcept { return key_pair_; }
    const Signature& signature() const noexcept { return signature_; }

    SecretBytes serialize() const;
    static KyberPreKeyRecord deserialize(ByteView bytes);

private:
    KyberPreKeyId id_;
    std::uint64_t timestamp_ms_;
    KemKeyPair key_pair_;
    Signature signature_;
};

// The public pre-keys of one device. Without a Kyber pre-key it starts an
// X3DH (version 3) session; with one, a PQXDH (version 4) session.
struct PreKeyBundle {
    std::uint32_t registration_id = 0;
    std::uint32_t device_id = 0;
    std::optional<PreKeyId> pre_key_id{};
    std::optional<PublicKey> pre_key{};
    SignedPreKeyId signed_pre_key_id = 0;
    PublicKey signed_pre_key;
    Signature signed_pre_key_signature{};
    IdentityKey identity_key;
    std::optional<KyberPreKeyId> kyber_pre_key_id{};
    std::optional<KemPublicKey> kyber_pre_key{};
    std::optional<Signature> kyber_pre_key_signature{};
};

}  // namespace cliquet
