// K-PKE, the IND-CPA encryption scheme under both KEMs (FIPS 203 §5; in
// Kyber round 3, Kyber.CPAPKE, which differs only in how its key
// generation seeds G — the caller derives rho and sigma).
#pragma once

#include <cstdint>
#include <span>

#include "crypto/kem/kem.hpp"
#include "crypto/kem/poly.hpp"
#include "crypto/kem/symmetric.hpp"

namespace cliquet::crypto::kem {

// Writes ek_pke = ByteEncode_12(t) || rho (384 k + 32 bytes) and
// dk_pke = ByteEncode_12(s) (384 k bytes): FIPS 203 Algorithm 13 from line 3.
void pke_keygen(const Params& p, Hashing& hashing, std::span<const std::uint8_t, 32> rho,
                std::span<const std::uint8_t, 32> sigma, std::span<std::uint8_t> ek_pke,
                std::span<std::uint8_t> dk_pke);

// The randomness of one encryption, all secret: r in the NTT domain, e1, e2
// (FIPS 203 Algorithm 14, lines 9-19).
struct EncryptionNoise {
    PolyVec r_hat;
    PolyVec e1;
    Poly e2;
};
void sample_encryption_noise(const Params& p, Hashing& hashing, std::span<const std::uint8_t, 32> coins,
                             EncryptionNoise& noise);

// c1 = ByteEncode_du(Compress_du(u)), u = NTT^-1(A^T r) + e1: needs only rho.
void encrypt_u(const Params& p, Hashing& hashing, std::span<const std::uint8_t, 32> rho,
               const EncryptionNoise& noise, std::span<std::uint8_t> c1);
// c2 = ByteEncode_dv(Compress_dv(v)), v = NTT^-1(t^T r) + e2 + Decompress_1(m):
// needs the encoded t (the key without rho) and the message.
void encrypt_v(const Params& p, std::span<const std::uint8_t> t_encoded, const EncryptionNoise& noise,
               std::span<const std::uint8_t, 32> message, std::span<std::uint8_t> c2);

// Both parts into ciphertext (FIPS 203 Algorithm 14).
void pke_encrypt(const Params& p, Hashing& hashing, std::span<const std::uint8_t> ek_pke,
                 std::span<const std::uint8_t, 32> message, std::span<const std::uint8_t, 32> coins,
                 std::span<std::uint8_t> ciphertext);

// FIPS 203 §7.2, the encapsulation key's modulus check: every coefficient of
// the encoded t (the key without rho) is already reduced mod q.
bool passes_modulus_check(const Params& p, std::span<const std::uint8_t> t_encoded);

// FIPS 203 Algorithm 15.
void pke_decrypt(const Params& p, std::span<const std::uint8_t> dk_pke, std::span<const std::uint8_t> ciphertext,
                 std::span<std::uint8_t, 32> message);

// Wipes a secret intermediate (a polynomial, a vector, a buffer) on scope exit.
template <typename T>
class WipeOnExit {
public:
    explicit WipeOnExit(T& object) : object_(object) {}
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    ~WipeOnExit() { secure_wipe(&object_, sizeof(T)); }

private:
    T& object_;
};

}  // namespace cliquet::crypto::kem
