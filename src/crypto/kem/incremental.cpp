// ML-KEM-768 encapsulation in two steps, for SPQR (see kem.hpp).
//
// Step 1 needs rho (for A) and H(ek) (for G); step 2 needs t. The state
// between them is m and the header only: step 2 derives r again from
// G(m || H(ek)) instead of keeping the sampled polynomials, which keeps the
// state small, serializable and free of any implementation's internal
// representation.
#include <algorithm>

#include "cliquet/error.hpp"
#include "crypto/kem/kem.hpp"
#include "crypto/kem/kpke.hpp"

namespace cliquet::crypto::kem::mlkem768 {
namespace {

constexpr Params kParams = params(KemVariant::mlkem768);
static_assert(kCiphertext1Size == 32 * kParams.du * kParams.rank);
static_assert(kCiphertext2Size == 32 * kParams.dv);

std::span<const std::uint8_t, 32> rho_of(std::span<const std::uint8_t, kHeaderSize> header) {
    return header.first<32>();
}
std::span<const std::uint8_t, 32> hash_of(std::span<const std::uint8_t, kHeaderSize> header) {
    return header.last<32>();
}

// (K, r) = G(m || H(ek)), FIPS 203 Algorithm 17, line 1.
void derive_key_and_coins(Hashing& hashing, const EncapsulationState& state, SecretArray<64>& key_coins) {
    hashing.sha3_512(key_coins.span(), {state.message.span(), hash_of(state.header)});
}

}  // namespace

SplitPublicKey split_public_key(ByteView public_key) {
    if (public_key.size() != public_key_size(KemVariant::mlkem768))
        throw Error(ErrorCode::invalid_key, "not an ML-KEM-768 public key: wrong length");
    const ByteView vector = public_key.first(kVectorSize);
    if (!passes_modulus_check(kParams, vector))
        throw Error(ErrorCode::invalid_key, "ML-KEM public key fails the modulus check");
    SplitPublicKey split{{}, Bytes(vector.begin(), vector.end())};
    Hashing hashing;
    const ByteView rho = public_key.subspan(kVectorSize);
    std::copy(rho.begin(), rho.end(), split.header.begin());
    hashing.sha3_256(std::span<std::uint8_t, kHeaderSize>(split.header).last<32>(), {public_key});
    return split;
}

bool header_matches_vector(ByteView header, ByteView vector) {
    if (header.size() != kHeaderSize || vector.size() != kVectorSize) return false;
    std::array<std::uint8_t, 32> hash{};
    Hashing hashing;
    hashing.sha3_256(hash, {vector, header.first(32)});
    return std::equal(hash.begin(), hash.end(), header.begin() + 32);
}

FirstStep encapsulate1(ByteView header, std::span<const std::uint8_t, kMessageSize> message) {
    if (header.size() != kHeaderSize) throw Error(ErrorCode::invalid_key, "ML-KEM-768 header is not 64 bytes");
    FirstStep step{Bytes(kCiphertext1Size), {SecretArray<kMessageSize>(message), {}}, {}};
    std::copy(header.begin(), header.end(), step.state.header.begin());

    Hashing hashing;
    SecretArray<64> key_coins;
    derive_key_and_coins(hashing, step.state, key_coins);
    const auto coins = std::span<const std::uint8_t, 64>(key_coins.span()).last<32>();
    EncryptionNoise noise;
    WipeOnExit wipe_noise(noise);
    sample_encryption_noise(kParams, hashing, coins, noise);
    encrypt_u(kParams, hashing, rho_of(step.state.header), noise, step.ciphertext1);
    std::copy_n(key_coins.data(), kSharedSecretSize, step.shared_secret.data());
    return step;
}

FirstStep encapsulate1(ByteView header, RandomSource& random) {
    SecretArray<kMessageSize> message;
    random.fill(message.span());
    return encapsulate1(header, message.span());
}

Bytes encapsulate2(const EncapsulationState& state, ByteView vector) {
    if (vector.size() != kVectorSize) throw Error(ErrorCode::invalid_key, "ML-KEM-768 vector is not 1152 bytes");
    if (!passes_modulus_check(kParams, vector))
        throw Error(ErrorCode::invalid_key, "ML-KEM public key fails the modulus check");
    if (!header_matches_vector(state.header, vector))
        throw Error(ErrorCode::invalid_key, "ML-KEM-768 vector does not belong to the header");

    Hashing hashing;
    SecretArray<64> key_coins;
    derive_key_and_coins(hashing, state, key_coins);
    const auto coins = std::span<const std::uint8_t, 64>(key_coins.span()).last<32>();
    EncryptionNoise noise;
    WipeOnExit wipe_noise(noise);
    sample_encryption_noise(kParams, hashing, coins, noise);
    Bytes ciphertext2(kCiphertext2Size);
    encrypt_v(kParams, vector, noise, state.message.span(), ciphertext2);
    return ciphertext2;
}

}  // namespace cliquet::crypto::kem::mlkem768
