/// @file
/// KEM keys as libsignal types them.
///
/// libsignal serializes every KEM public key, secret key and ciphertext as one
/// type byte followed by the raw bytes (rust/protocol/src/kem.rs): 0x08 for
/// Kyber1024 (CRYSTALS-Kyber round 3, used by PQXDH pre-keys) and 0x0a for
/// ML-KEM-1024 (FIPS 203). These classes keep that form on the wire and in
/// storage. Shared secrets are 32 bytes.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/random.hpp"

namespace cliquet {

/// A KEM, by its libsignal type byte.
enum class KemType : std::uint8_t {
    kyber1024 = 0x08,  ///< CRYSTALS-Kyber 1024, round 3: PQXDH's pre-keys
    mlkem1024 = 0x0a,  ///< ML-KEM-1024 (FIPS 203)
};

/// What encapsulating to a public key yields.
struct CLIQUET_EXPORT KemEncapsulation {
    Bytes ciphertext;  ///< type byte || raw ciphertext, as libsignal sends it
    SecretArray<32> shared_secret;  ///< what decapsulating the ciphertext yields
};

/// A KEM public key, with its type.
class CLIQUET_EXPORT KemPublicKey {
public:
    /// Type byte || raw key. Error(invalid_key) for an empty input, an
    /// unknown type or a length that is not the type's.
    [[nodiscard]] static KemPublicKey deserialize(ByteView serialized);

    [[nodiscard]] KemType type() const noexcept { return type_; }  ///< Which KEM.
    [[nodiscard]] ByteView raw() const noexcept { return raw_; }  ///< The key without its type byte.
    [[nodiscard]] Bytes serialize() const;  ///< Type byte || raw key.

    /// A fresh shared secret and the serialized ciphertext that carries it.
    /// Error(invalid_key) for an ML-KEM key that fails FIPS 203's modulus check.
    [[nodiscard]] KemEncapsulation encapsulate(RandomSource& random = system_random()) const;

    /// Same type and same bytes.
    friend CLIQUET_EXPORT bool operator==(const KemPublicKey& a, const KemPublicKey& b) noexcept;

private:
    KemPublicKey(KemType type, Bytes raw) : type_(type), raw_(std::move(raw)) {}
    friend struct KemKeyPair;

    KemType type_;
    Bytes raw_;
};

/// A KEM secret key, with its type; wiped when it dies.
class CLIQUET_EXPORT KemSecretKey {
public:
    /// Type byte || raw key; the same errors as KemPublicKey::deserialize.
    [[nodiscard]] static KemSecretKey deserialize(ByteView serialized);

    [[nodiscard]] KemType type() const noexcept { return type_; }  ///< Which KEM.
    [[nodiscard]] SecretBytes serialize() const;  ///< Type byte || raw key, for storage.

    /// The shared secret of a serialized ciphertext (type byte || raw).
    /// Error(invalid_message) for a ciphertext that is empty, of an unknown or
    /// different type, or of the wrong length. A well-formed ciphertext that
    /// was not made for this key yields an unrelated secret, not an error
    /// (implicit rejection).
    [[nodiscard]] SecretArray<32> decapsulate(ByteView serialized_ciphertext) const;

private:
    KemSecretKey(KemType type, SecretBytes raw) : type_(type), raw_(std::move(raw)) {}
    friend struct KemKeyPair;

    KemType type_;
    SecretBytes raw_;
};

/// A KEM key pair.
struct CLIQUET_EXPORT KemKeyPair {
    KemPublicKey public_key;  ///< The half to publish.
    KemSecretKey secret_key;  ///< The half to keep.

    /// A fresh key pair of `type`.
    [[nodiscard]] static KemKeyPair generate(KemType type, RandomSource& random = system_random());
};

/// The module-lattice KEMs bare: keys and ciphertexts without libsignal's
/// type byte, and the randomness passed in, so that a test or a harness can
/// hold them against published answers and other implementations
/// (cliquet-peer's KEM hooks). Applications use the typed keys above.
enum class RawKem {
    kyber1024,  ///< CRYSTALS-Kyber 1024, round 3
    mlkem768,   ///< ML-KEM-768 (FIPS 203), as SPQR uses it
    mlkem1024,  ///< ML-KEM-1024 (FIPS 203)
};

/// A raw key pair: the encapsulation key, and the decapsulation key (which
/// holds the encapsulation key too, as FIPS 203 lays it out).
struct RawKemKeyPair {
    Bytes public_key;        ///< raw encapsulation key
    SecretBytes secret_key;  ///< raw decapsulation key
};

/// A raw ciphertext and the shared secret it carries.
struct RawKemEncapsulation {
    Bytes ciphertext;               ///< raw ciphertext
    SecretArray<32> shared_secret;  ///< what decapsulating it yields
};

/// The key pair of the 64-byte seed d || z (FIPS 203's ML-KEM.KeyGen_internal;
/// for Kyber round 3, d and z are its two 32-byte draws).
[[nodiscard]] CLIQUET_EXPORT RawKemKeyPair raw_kem_keygen(RawKem kem, std::span<const std::uint8_t, 64> seed);

/// Encapsulation with the 32-byte message m as drawn, before any hashing.
/// Error(invalid_key) for a key of the wrong length or, for ML-KEM, one that
/// fails the modulus check.
[[nodiscard]] CLIQUET_EXPORT RawKemEncapsulation raw_kem_encapsulate(RawKem kem, ByteView public_key,
                                                                     std::span<const std::uint8_t, 32> message);

/// Decapsulation with implicit rejection: a well-formed ciphertext not made
/// for the key yields an unrelated secret, not an error. Error(invalid_key)
/// for a malformed key, Error(invalid_message) for a ciphertext of the wrong
/// length.
[[nodiscard]] CLIQUET_EXPORT SecretArray<32> raw_kem_decapsulate(RawKem kem, ByteView secret_key,
                                                                 ByteView ciphertext);

}  // namespace cliquet
