// The CCA-secure KEMs over K-PKE: ML-KEM (FIPS 203 §6 and §7) and Kyber
// round 3 (its Fujisaki-Okamoto variant with the KDF), side by side.
#include "crypto/kem/kem.hpp"

#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "crypto/kem/constant_time.hpp"
#include "crypto/kem/encoding.hpp"
#include "crypto/kem/kpke.hpp"

namespace cliquet::crypto::kem {
namespace {

using Bytes32 = std::array<std::uint8_t, 32>;

// Offsets in dk = dk_pke || ek || H(ek) || z.
struct SecretKeyLayout {
    std::size_t ek_offset, hash_offset, z_offset;
};
SecretKeyLayout layout(const Params& p) {
    const std::size_t ek_offset = p.rank * kPolyBytes;
    const std::size_t hash_offset = ek_offset + p.rank * kPolyBytes + 32;
    return {ek_offset, hash_offset, hash_offset + 32};
}

void require_size(ByteView bytes, std::size_t expected, ErrorCode code, const char* what) {
    if (bytes.size() != expected)
        throw Error(code, std::string(what) + " has " + std::to_string(bytes.size()) + " bytes, expected " +
                              std::to_string(expected));
}

}  // namespace

KemKeyPair keygen(KemVariant variant, std::span<const std::uint8_t, kSeedSize> seed) {
    const Params p = params(variant);
    const auto d = seed.first<32>();
    const auto z = seed.last<32>();
    Hashing hashing;

    // (rho, sigma) = G(d || k) for ML-KEM (Algorithm 13, line 1, with the
    // domain separation byte FIPS 203 added); G(d) for Kyber round 3.
    SecretArray<64> rho_sigma;
    const std::array<std::uint8_t, 1> rank_byte{static_cast<std::uint8_t>(p.rank)};
    hashing.sha3_512(rho_sigma.span(), {d, p.fips203 ? ByteView(rank_byte) : ByteView()});
    const auto rho = std::span<const std::uint8_t, 64>(rho_sigma.span()).first<32>();
    const auto sigma = std::span<const std::uint8_t, 64>(rho_sigma.span()).last<32>();
    declassify(rho.data(), rho.size());  // published in ek

    KemKeyPair pair{Bytes(public_key_size(variant)), SecretBytes(secret_key_size(variant))};
    const SecretKeyLayout at = layout(p);
    std::span<std::uint8_t> dk = pair.secret_key.span();
    pke_keygen(p, hashing, rho, sigma, pair.public_key, dk.first(at.ek_offset));

    // dk = dk_pke || ek || H(ek) || z (Algorithm 16, line 3).
    std::copy(pair.public_key.begin(), pair.public_key.end(), dk.begin() + static_cast<std::ptrdiff_t>(at.ek_offset));
    hashing.sha3_256(dk.subspan(at.hash_offset).first<32>(), {pair.public_key});
    std::copy(z.begin(), z.end(), dk.begin() + static_cast<std::ptrdiff_t>(at.z_offset));
    return pair;
}

KemKeyPair keygen(KemVariant variant, RandomSource& random) {
    SecretArray<kSeedSize> seed;
    random.fill(seed.span());
    return keygen(variant, seed.span());
}

Encapsulation encapsulate(KemVariant variant, ByteView public_key,
                          std::span<const std::uint8_t, kMessageSize> message) {
    const Params p = params(variant);
    require_size(public_key, public_key_size(variant), ErrorCode::invalid_key, "KEM public key");
    if (p.fips203 && !passes_modulus_check(p, public_key.first(p.rank * kPolyBytes)))
        throw Error(ErrorCode::invalid_key, "ML-KEM public key fails the modulus check");
    Hashing hashing;

    Bytes32 ek_hash;
    hashing.sha3_256(ek_hash, {public_key});
    // ML-KEM uses m as drawn (Algorithm 17); Kyber round 3 first hashes it.
    SecretArray<32> m(message);
    if (!p.fips203) hashing.sha3_256(m.span(), {message});

    // (K, r) = G(m || H(ek)).
    SecretArray<64> key_coins;
    hashing.sha3_512(key_coins.span(), {m.span(), ek_hash});
    const auto key = std::span<const std::uint8_t, 64>(key_coins.span()).first<32>();
    const auto coins = std::span<const std::uint8_t, 64>(key_coins.span()).last<32>();

    Encapsulation result{Bytes(ciphertext_size(variant)), {}};
    pke_encrypt(p, hashing, public_key, m.span(), coins, result.ciphertext);

    if (p.fips203) {
        std::copy(key.begin(), key.end(), result.shared_secret.data());
    } else {
        // K = KDF(K-bar || H(c)), KDF = SHAKE256 to 32 bytes.
        Bytes32 ciphertext_hash;
        hashing.sha3_256(ciphertext_hash, {result.ciphertext});
        hashing.shake256(result.shared_secret.span(), {key, ciphertext_hash});
    }
    return result;
}

Encapsulation encapsulate(KemVariant variant, ByteView public_key, RandomSource& random) {
    SecretArray<kMessageSize> message;
    random.fill(message.span());
    return encapsulate(variant, public_key, message.span());
}

SecretArray<kSharedSecretSize> decapsulate(KemVariant variant, ByteView secret_key, ByteView ciphertext) {
    const Params p = params(variant);
    require_size(secret_key, secret_key_size(variant), ErrorCode::invalid_key, "KEM secret key");
    require_size(ciphertext, ciphertext_size(variant), ErrorCode::invalid_message, "KEM ciphertext");
    const SecretKeyLayout at = layout(p);
    const ByteView dk_pke = secret_key.first(at.ek_offset);
    const ByteView ek = secret_key.subspan(at.ek_offset, at.hash_offset - at.ek_offset);
    const auto ek_hash = secret_key.subspan(at.hash_offset).first<32>();
    const auto z = secret_key.subspan(at.z_offset).first<32>();
    Hashing hashing;

    if (p.fips203) {
        // FIPS 203 §7.3, hash check. ek and H(ek) are public, so may branch.
        Bytes32 recomputed;
        hashing.sha3_256(recomputed, {ek});
        if (!std::equal(recomputed.begin(), recomputed.end(), ek_hash.begin()))
            throw Error(ErrorCode::invalid_key, "ML-KEM secret key has an inconsistent H(ek)");
    }

    // m' = Decrypt(dk_pke, c); (K', r') = G(m' || h); c' = Encrypt(ek, m', r').
    SecretArray<32> m;
    pke_decrypt(p, dk_pke, ciphertext, m.span());
    SecretArray<64> key_coins;
    hashing.sha3_512(key_coins.span(), {m.span(), ek_hash});
    const auto key = std::span<const std::uint8_t, 64>(key_coins.span()).first<32>();
    const auto coins = std::span<const std::uint8_t, 64>(key_coins.span()).last<32>();
    SecretBytes reencrypted(ciphertext.size());
    pke_encrypt(p, hashing, ek, m.span(), coins, reencrypted.span());
    const std::uint8_t accept = equal_mask(ciphertext, reencrypted.span());

    SecretArray<kSharedSecretSize> shared;
    if (p.fips203) {
        // K-bar = J(z || c), computed whether or not it is used.
        SecretArray<32> rejection;
        hashing.shake256(rejection.span(), {z, ciphertext});
        select_bytes(shared.span(), accept, key, rejection.span());
    } else {
        // K = KDF((c = c' ? K-bar' : z) || H(c)).
        SecretArray<32> chosen;
        select_bytes(chosen.span(), accept, key, z);
        Bytes32 ciphertext_hash;
        hashing.sha3_256(ciphertext_hash, {ciphertext});
        hashing.shake256(shared.span(), {chosen.span(), ciphertext_hash});
    }
    return shared;
}

}  // namespace cliquet::crypto::kem
