/// @file
/// Curve25519 keys, as libsignal serializes and uses them.
///
/// A PublicKey is libsignal's 33-byte form: the type byte 0x05 followed by the
/// X25519 u-coordinate. A PrivateKey is 32 bytes, clamped on the way in as
/// libsignal does. Identity keys are ordinary key pairs that sign with XEdDSA.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/random.hpp"

namespace cliquet {

inline constexpr std::uint8_t kDjbKeyType = 0x05;     ///< The type byte of a serialized Curve25519 public key.
inline constexpr std::size_t kPublicKeySize = 33;     ///< A serialized public key: type byte and u-coordinate.
inline constexpr std::size_t kPrivateKeySize = 32;    ///< A serialized private key.
inline constexpr std::size_t kSignatureSize = 64;     ///< An XEdDSA signature.

/// An XEdDSA signature.
using Signature = std::array<std::uint8_t, kSignatureSize>;

/// A Curve25519 public key.
class CLIQUET_EXPORT PublicKey {
public:
    /// Exactly 33 bytes starting with 0x05; anything else is Error(invalid_key).
    [[nodiscard]] static PublicKey deserialize(ByteView bytes);
    /// The bare 32-byte u-coordinate, as found in some wire formats.
    [[nodiscard]] static PublicKey from_montgomery(std::span<const std::uint8_t, 32> u) noexcept;

    [[nodiscard]] Bytes serialize() const;  ///< The 33-byte form.
    /// The bare 32-byte u-coordinate.
    [[nodiscard]] std::span<const std::uint8_t, 32> montgomery() const noexcept { return u_; }

    /// XEdDSA verification: false for a signature that does not verify,
    /// whatever its form. Running out of memory is std::bad_alloc, not false.
    [[nodiscard]] bool verify(ByteView message, ByteView signature) const;

    /// Same key.
    friend bool operator==(const PublicKey&, const PublicKey&) = default;
    /// libsignal orders keys by their serialized bytes (used by fingerprints
    /// and by simultaneous-initiation tie breaks).
    friend std::strong_ordering operator<=>(const PublicKey&, const PublicKey&) = default;

private:
    explicit PublicKey(std::span<const std::uint8_t, 32> u) noexcept;
    std::array<std::uint8_t, 32> u_;
};

/// A Curve25519 private key; the scalar is wiped when the key dies.
class CLIQUET_EXPORT PrivateKey {
public:
    /// A fresh key.
    [[nodiscard]] static PrivateKey generate(RandomSource& random = system_random());
    /// Exactly 32 bytes; clamped as X25519 requires. Otherwise Error(invalid_key).
    [[nodiscard]] static PrivateKey deserialize(ByteView bytes);

    /// The secret, for storage. Handle it as such.
    const SecretArray<32>& secret() const noexcept { return scalar_; }

    [[nodiscard]] PublicKey public_key() const;  ///< The matching public key.
    /// X25519 agreement; a small-order peer key is Error(invalid_key).
    [[nodiscard]] SecretArray<32> agree(const PublicKey& their_key) const;
    /// XEdDSA signature, randomized.
    [[nodiscard]] Signature sign(ByteView message, RandomSource& random = system_random()) const;

private:
    explicit PrivateKey(const SecretArray<32>& scalar) noexcept : scalar_(scalar) {}
    SecretArray<32> scalar_;
};

/// A Curve25519 key pair.
struct CLIQUET_EXPORT KeyPair {
    PublicKey public_key;    ///< The half to publish.
    PrivateKey private_key;  ///< The half to keep.

    /// A fresh key pair.
    [[nodiscard]] static KeyPair generate(RandomSource& random = system_random());
    /// The pair whose private half is `private_key`.
    [[nodiscard]] static KeyPair from_private(PrivateKey private_key);
};

/// The public half of an identity key pair.
using IdentityKey = PublicKey;

/// The long-term identity of an account, which every device of the account
/// holds (a linked device receives it from the primary when it is linked).
class CLIQUET_EXPORT IdentityKeyPair {
public:
    /// A fresh identity.
    [[nodiscard]] static IdentityKeyPair generate(RandomSource& random = system_random());
    /// The identity whose private key is `private_key`.
    explicit IdentityKeyPair(PrivateKey private_key);
    /// Both halves as stored; a public key that is not the private key's is
    /// Error(invalid_key).
    IdentityKeyPair(IdentityKey public_key, PrivateKey private_key);

    /// libsignal's IdentityKeyPairStructure protobuf (public key, private key).
    [[nodiscard]] SecretBytes serialize() const;
    /// The serialized form; malformed bytes or keys are Error(invalid_key).
    [[nodiscard]] static IdentityKeyPair deserialize(ByteView bytes);

    const IdentityKey& public_key() const noexcept { return public_key_; }  ///< The identity others see.
    const PrivateKey& private_key() const noexcept { return private_key_; }  ///< The secret half.
    /// XEdDSA signature by the identity key, randomized.
    [[nodiscard]] Signature sign(ByteView message, RandomSource& random = system_random()) const {
        return private_key_.sign(message, random);
    }

private:
    IdentityKey public_key_;
    PrivateKey private_key_;
};

}  // namespace cliquet
