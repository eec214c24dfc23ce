/// @file
/// Pre-keys: what a device publishes so that others can start
/// sessions with it while it is offline.
///
/// A device keeps one-time pre-keys (Curve25519, used once), signed pre-keys
/// (Curve25519, signed by the identity key, reused until rotated) and Kyber
/// pre-keys (Kyber1024, signed by the identity key). A PreKeyBundle is the
/// public half of one of each, as a server hands it out.
///
/// Records serialize to libsignal's storage protobufs (PreKeyRecordStructure;
/// SignedPreKeyRecordStructure for both signed and Kyber pre-keys), so a
/// record written by one implementation reads in the other.
#pragma once

#include <cstdint>
#include <optional>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/kem.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// The id of one kind of pre-key. It converts to and from its number (ids
/// are numbers on the wire), but never to the id of another kind: passing a
/// Kyber pre-key id where a signed pre-key id belongs does not compile.
template <typename Kind>
class PreKeyIdOf {
public:
    constexpr PreKeyIdOf() noexcept = default;
    /// Implicit: a number read from a message or a row is an id.
    constexpr PreKeyIdOf(std::uint32_t value) noexcept : value_(value) {}  // NOLINT(google-explicit-constructor)
    /// The id of another kind of pre-key is not one of these, not even
    /// explicitly (through its number it otherwise would be).
    ///@{
    template <typename OtherKind>
    PreKeyIdOf(PreKeyIdOf<OtherKind>) = delete;
    template <typename OtherKind>
    PreKeyIdOf& operator=(PreKeyIdOf<OtherKind>) = delete;
    ///@}
    /// Implicit: an id is written as its number.
    constexpr operator std::uint32_t() const noexcept { return value_; }  // NOLINT(google-explicit-constructor)
    [[nodiscard]] constexpr std::uint32_t value() const noexcept { return value_; }  ///< Its number.
    /// The next id, as a loop over ids counts.
    ///@{
    constexpr PreKeyIdOf& operator++() noexcept {
        ++value_;
        return *this;
    }
    constexpr PreKeyIdOf operator++(int) noexcept { return PreKeyIdOf(value_++); }
    ///@}

private:
    std::uint32_t value_ = 0;
};

using PreKeyId = PreKeyIdOf<struct OneTimePreKeyIdTag>;  ///< Names a one-time (EC) pre-key.
using SignedPreKeyId = PreKeyIdOf<struct SignedPreKeyIdTag>;  ///< Names a signed pre-key.
using KyberPreKeyId = PreKeyIdOf<struct KyberPreKeyIdTag>;  ///< Names a Kyber pre-key.

/// A one-time pre-key, private half included.
class CLIQUET_EXPORT PreKeyRecord {
public:
    /// A record of an existing key pair.
    PreKeyRecord(PreKeyId id, KeyPair key_pair);
    /// A fresh key pair under `id`.
    [[nodiscard]] static PreKeyRecord generate(PreKeyId id, RandomSource& random = system_random());

    [[nodiscard]] PreKeyId id() const noexcept { return id_; }  ///< Its id.
    const KeyPair& key_pair() const noexcept { return key_pair_; }  ///< Its keys.

    /// PreKeyRecordStructure, for storage; the private key inside.
    [[nodiscard]] SecretBytes serialize() const;
    /// Malformed bytes are Error(storage).
    [[nodiscard]] static PreKeyRecord deserialize(ByteView bytes);

private:
    PreKeyId id_;
    KeyPair key_pair_;
};

/// A signed pre-key, private half included.
class CLIQUET_EXPORT SignedPreKeyRecord {
public:
    /// A record of an existing key pair and its signature (not checked here).
    SignedPreKeyRecord(SignedPreKeyId id, Timestamp made_at, KeyPair key_pair, const Signature& signature);
    /// A fresh key pair whose serialized public key is signed by `identity`.
    [[nodiscard]] static SignedPreKeyRecord generate(SignedPreKeyId id, const IdentityKeyPair& identity,
                                                     Timestamp made_at, RandomSource& random = system_random());

    [[nodiscard]] SignedPreKeyId id() const noexcept { return id_; }  ///< Its id.
    /// When it was made (the record keeps milliseconds since the Unix epoch).
    [[nodiscard]] Timestamp timestamp() const noexcept { return timestamp_; }
    const KeyPair& key_pair() const noexcept { return key_pair_; }  ///< Its keys.
    /// The identity key's signature over the serialized public key.
    const Signature& signature() const noexcept { return signature_; }

    /// SignedPreKeyRecordStructure, for storage; the private key inside.
    [[nodiscard]] SecretBytes serialize() const;
    /// Malformed bytes are Error(storage).
    [[nodiscard]] static SignedPreKeyRecord deserialize(ByteView bytes);

private:
    SignedPreKeyId id_;
    Timestamp timestamp_;
    KeyPair key_pair_;
    Signature signature_;
};

/// A KEM pre-key signed by the identity key; PQXDH uses Kyber1024 ones.
class CLIQUET_EXPORT KyberPreKeyRecord {
public:
    /// A record of an existing key pair and its signature (not checked here).
    KyberPreKeyRecord(KyberPreKeyId id, Timestamp made_at, KemKeyPair key_pair, const Signature& signature);
    /// A fresh key pair whose serialized public key (type byte included) is
    /// signed by `identity`.
    [[nodiscard]] static KyberPreKeyRecord generate(KyberPreKeyId id, const IdentityKeyPair& identity,
                                                    Timestamp made_at, RandomSource& random = system_random(),
                                                    KemType type = KemType::kyber1024);

    [[nodiscard]] KyberPreKeyId id() const noexcept { return id_; }  ///< Its id.
    /// When it was made (the record keeps milliseconds since the Unix epoch).
    [[nodiscard]] Timestamp timestamp() const noexcept { return timestamp_; }
    const KemKeyPair& key_pair() const noexcept { return key_pair_; }  ///< Its keys.
    /// The identity key's signature over the serialized public key.
    const Signature& signature() const noexcept { return signature_; }

    /// SignedPreKeyRecordStructure, for storage; the secret key inside.
    [[nodiscard]] SecretBytes serialize() const;
    /// Malformed bytes are Error(storage).
    [[nodiscard]] static KyberPreKeyRecord deserialize(ByteView bytes);

private:
    KyberPreKeyId id_;
    Timestamp timestamp_;
    KemKeyPair key_pair_;
    Signature signature_;
};

/// The public pre-keys of one device. Without a Kyber pre-key it starts an
/// X3DH (version 3) session; with one, a PQXDH (version 4) session.
struct CLIQUET_EXPORT PreKeyBundle {
    std::uint32_t registration_id = 0;                   ///< the device's registration id
    std::uint32_t device_id = 0;                         ///< the device's id
    std::optional<PreKeyId> pre_key_id{};                ///< a one-time pre-key's id, if the server had one left
    std::optional<PublicKey> pre_key{};                  ///< that one-time pre-key
    SignedPreKeyId signed_pre_key_id = 0;                ///< the signed pre-key's id
    PublicKey signed_pre_key;                            ///< the signed pre-key
    Signature signed_pre_key_signature{};                ///< the identity key's signature over it
    IdentityKey identity_key;                            ///< the device's identity key
    std::optional<KyberPreKeyId> kyber_pre_key_id{};     ///< the Kyber pre-key's id (PQXDH only)
    std::optional<KemPublicKey> kyber_pre_key{};         ///< the Kyber pre-key (PQXDH only)
    std::optional<Signature> kyber_pre_key_signature{};  ///< the identity key's signature over it
};

}  // namespace cliquet
