// The module-lattice KEMs libsignal uses, written once for all variants:
//
//   kyber1024  CRYSTALS-Kyber round 3 (spec of 2021-08-04), libsignal's key
//              type 0x08, used by PQXDH;
//   mlkem1024  ML-KEM-1024 of FIPS 203, libsignal's key type 0x0a;
//   mlkem768   ML-KEM-768 of FIPS 203, used by the sparse post-quantum
//              ratchet (SPQR), which also needs the two-step encapsulation
//              declared at the end of this file.
//
// Keys and ciphertexts here are raw (no libsignal type byte); the public
// wrapper in include/cliquet/kem.hpp adds the type byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"

namespace cliquet::crypto::kem {

enum class KemVariant { kyber1024, mlkem768, mlkem1024 };

// The parameter sets (FIPS 203 §8, Table 2; Kyber round 3 spec, Table 1).
// All three have n = 256, q = 3329 and eta1 = eta2 = 2.
struct Params {
    std::size_t rank;  // k
    unsigned du;       // bits per coefficient of the compressed u
    unsigned dv;       // bits per coefficient of the compressed v
    bool fips203;      // ML-KEM rather than Kyber round 3
};

constexpr Params params(KemVariant variant) {
    switch (variant) {
        case KemVariant::kyber1024: return {4, 11, 5, false};
        case KemVariant::mlkem768: return {3, 10, 4, true};
        case KemVariant::mlkem1024: return {4, 11, 5, true};
    }
    return {0, 0, 0, false};
}

inline constexpr std::size_t kSeedSize = 64;          // d || z
inline constexpr std::size_t kMessageSize = 32;       // m
inline constexpr std::size_t kSharedSecretSize = 32;  // K

constexpr std::size_t public_key_size(KemVariant v) { return 384 * params(v).rank + 32; }
constexpr std::size_t secret_key_size(KemVariant v) { return 768 * params(v).rank + 96; }
constexpr std::size_t ciphertext_size(KemVariant v) {
    const Params p = params(v);
    return 32 * (p.du * p.rank + p.dv);
}

static_assert(public_key_size(KemVariant::kyber1024) == 1568);
static_assert(secret_key_size(KemVariant::kyber1024) == 3168);
static_assert(ciphertext_size(KemVariant::kyber1024) == 1568);
static_assert(public_key_size(KemVariant::mlkem768) == 1184);
static_assert(secret_key_size(KemVariant::mlkem768) == 2400);
static_assert(ciphertext_size(KemVariant::mlkem768) == 1088);

struct KemKeyPair {
    Bytes public_key;        // ek
    SecretBytes secret_key;  // dk = dk_pke || ek || H(ek) || z (both variants)
};

struct Encapsulation {
    Bytes ciphertext;
    SecretArray<kSharedSecretSize> shared_secret;
};

// Key generation from the 64-byte seed d || z (FIPS 203 Algorithm 16 for
// ML-KEM; for Kyber round 3, d and z are its two 32-byte random draws).
KemKeyPair keygen(KemVariant variant, std::span<const std::uint8_t, kSeedSize> seed);
KemKeyPair keygen(KemVariant variant, RandomSource& random);

// Encapsulation with the 32-byte message m as drawn, before any hashing
// (FIPS 203 Algorithm 17; Kyber round 3 hashes m first). A key of the wrong
// length, or an ML-KEM key failing the modulus check, is Error(invalid_key).
Encapsulation encapsulate(KemVariant variant, ByteView public_key,
                          std::span<const std::uint8_t, kMessageSize> message);
Encapsulation encapsulate(KemVariant variant, ByteView public_key, RandomSource& random);

// Decapsulation with implicit rejection: a well-formed ciphertext that does
// not re-encrypt identically yields a pseudorandom secret derived from z,
// not an error. A secret key of the wrong length, or an ML-KEM key whose
// embedded H(ek) does not match (FIPS 203 §7.3), is Error(invalid_key); a
// ciphertext of the wrong length is Error(invalid_message).
SecretArray<kSharedSecretSize> decapsulate(KemVariant variant, ByteView secret_key,
                                           ByteView ciphertext);

// ---- ML-KEM-768 in two steps, for SPQR --------------------------------------
//
// SPQR sends an encapsulation key in two pieces: a 64-byte header rho || H(ek)
// and the 1152-byte vector part ByteEncode_12(t). The ciphertext's u part
// depends only on rho and the randomness, and K = G(m || H(ek)) only on the
// header, so the encapsulator can send u (ciphertext 1) and know K before the
// vector arrives; v (ciphertext 2) follows. ciphertext1 || ciphertext2 is an
// ordinary ML-KEM-768 ciphertext. (Same split as libcrux-ml-kem's
// "incremental" API, which SPQR uses.)
namespace mlkem768 {

inline constexpr std::size_t kHeaderSize = 64;
inline constexpr std::size_t kVectorSize = 1152;
inline constexpr std::size_t kCiphertext1Size = 960;
inline constexpr std::size_t kCiphertext2Size = 128;
static_assert(kVectorSize + 32 == public_key_size(KemVariant::mlkem768));
static_assert(kCiphertext1Size + kCiphertext2Size == ciphertext_size(KemVariant::mlkem768));

struct SplitPublicKey {
    std::array<std::uint8_t, kHeaderSize> header;  // rho || H(ek)
    Bytes vector;                                  // ek without rho
};

// Error(invalid_key) unless public_key is an ML-KEM-768 key that passes the
// modulus check.
SplitPublicKey split_public_key(ByteView public_key);
// Whether the vector part belongs to the header: H(vector || rho) = H(ek).
bool header_matches_vector(ByteView header, ByteView vector);

// What the encapsulator keeps between the steps: the secret m and the header.
struct EncapsulationState {
    SecretArray<kMessageSize> message;
    std::array<std::uint8_t, kHeaderSize> header;
};

struct FirstStep {
    Bytes ciphertext1;
    EncapsulationState state;
    SecretArray<kSharedSecretSize> shared_secret;
};

// Error(invalid_key) for a header that is not 64 bytes.
FirstStep encapsulate1(ByteView header, std::span<const std::uint8_t, kMessageSize> message);
FirstStep encapsulate1(ByteView header, RandomSource& random);
// Ciphertext 2. Error(invalid_key) when the vector has the wrong length,
// fails the modulus check, or does not match the header of the state.
Bytes encapsulate2(const EncapsulationState& state, ByteView vector);

}  // namespace mlkem768
}  // namespace cliquet::crypto::kem
