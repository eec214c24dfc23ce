// The primitive floor of a PQXDH handshake (issue 19): the X25519, XEdDSA and
// Kyber1024 operations each side cannot avoid, run in sequence through the
// implementations cliquet calls. BM_PqxdhInitiate and BM_PqxdhRespond
// (session_bench.cpp) are held to at most 1.2 times these, in the same run.
#include <benchmark/benchmark.h>

#include <sodium.h>

#include <array>
#include <vector>

#include "cliquet/random.hpp"
#include "crypto/curve25519.hpp"
#include "crypto/kem/kem.hpp"

namespace cliquet::bench {
namespace {

namespace kem = crypto::kem;

SecretArray<32> random_scalar() {
    SecretArray<32> scalar;
    system_random().fill(scalar.span());
    crypto::clamp_x25519_scalar(scalar.span());
    return scalar;
}

struct KeyPair25519 {
    SecretArray<32> scalar = random_scalar();
    crypto::X25519Point point = crypto::x25519_base(scalar);
};

// Ed25519 verification of a signature over `size` bytes: the floor of one
// XEdDSA verification (see BM_Floor_XEdDsaVerify).
struct SignedBytes {
    std::array<std::uint8_t, crypto_sign_ed25519_PUBLICKEYBYTES> public_key{};
    std::vector<std::uint8_t> message;
    std::array<std::uint8_t, crypto_sign_ed25519_BYTES> signature{};

    explicit SignedBytes(std::size_t size) : message(size, 0x42) {
        SecretArray<crypto_sign_ed25519_SECRETKEYBYTES> secret_key;
        crypto_sign_ed25519_keypair(public_key.data(), secret_key.data());
        crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(), secret_key.data());
    }
    int verify() const {
        return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                                   public_key.data());
    }
};

std::array<std::uint8_t, 64> kem_seed() {
    std::array<std::uint8_t, 64> seed;
    system_random().fill(seed);
    return seed;
}

// The initiator, from a bundle with a one-time pre-key: the signed pre-key's
// and the Kyber pre-key's signatures verified (33 and 1,569 signed bytes), a
// base key generated, four agreements (DH1 to DH4), one Kyber1024
// encapsulation, then the first sending chain: a ratchet key generated and
// one agreement with the signed pre-key.
void BM_Floor_PqxdhInitiate(benchmark::State& state) {
    const SignedBytes signed_pre_key_signature(33);
    const SignedBytes kyber_pre_key_signature(1569);
    const KeyPair25519 their_identity, their_signed_pre_key, their_one_time_pre_key, our_identity;
    const auto kyber = kem::keygen(kem::KemVariant::kyber1024, kem_seed());
    std::array<std::uint8_t, 32> kyber_message;
    for (auto _ : state) {
        benchmark::DoNotOptimize(signed_pre_key_signature.verify());
        benchmark::DoNotOptimize(kyber_pre_key_signature.verify());
        const KeyPair25519 base;
        benchmark::DoNotOptimize(crypto::x25519(our_identity.scalar, their_signed_pre_key.point));
        benchmark::DoNotOptimize(crypto::x25519(base.scalar, their_identity.point));
        benchmark::DoNotOptimize(crypto::x25519(base.scalar, their_signed_pre_key.point));
        benchmark::DoNotOptimize(crypto::x25519(base.scalar, their_one_time_pre_key.point));
        system_random().fill(kyber_message);
        benchmark::DoNotOptimize(kem::encapsulate(kem::KemVariant::kyber1024, kyber.public_key, kyber_message));
        const KeyPair25519 ratchet;
        benchmark::DoNotOptimize(crypto::x25519(ratchet.scalar, their_signed_pre_key.point));
    }
}
BENCHMARK(BM_Floor_PqxdhInitiate);

// The responder, on the first message: the base key checked to lie in the
// prime-order subgroup (libsignal's is_canonical, which cliquet computes as
// the Edwards image and libsodium's subgroup check), four agreements, one
// Kyber1024 decapsulation, then the DH ratchet step the message starts: one
// agreement for the receiving chain, a ratchet key generated and one
// agreement for the sending chain.
void BM_Floor_PqxdhRespond(benchmark::State& state) {
    const KeyPair25519 our_identity, our_signed_pre_key, our_one_time_pre_key, their_identity, their_base,
        their_ratchet;
    const auto kyber = kem::keygen(kem::KemVariant::kyber1024, kem_seed());
    std::array<std::uint8_t, 32> kyber_message;
    system_random().fill(kyber_message);
    const auto encapsulated = kem::encapsulate(kem::KemVariant::kyber1024, kyber.public_key, kyber_message);
    for (auto _ : state) {
        benchmark::DoNotOptimize(crypto::is_canonical_public_key(their_base.point));
        benchmark::DoNotOptimize(crypto::x25519(our_signed_pre_key.scalar, their_identity.point));
        benchmark::DoNotOptimize(crypto::x25519(our_identity.scalar, their_base.point));
        benchmark::DoNotOptimize(crypto::x25519(our_signed_pre_key.scalar, their_base.point));
        benchmark::DoNotOptimize(crypto::x25519(our_one_time_pre_key.scalar, their_base.point));
        benchmark::DoNotOptimize(
            kem::decapsulate(kem::KemVariant::kyber1024, kyber.secret_key.span(), encapsulated.ciphertext));
        benchmark::DoNotOptimize(crypto::x25519(our_signed_pre_key.scalar, their_ratchet.point));
        const KeyPair25519 ratchet;
        benchmark::DoNotOptimize(crypto::x25519(ratchet.scalar, their_ratchet.point));
    }
}
BENCHMARK(BM_Floor_PqxdhRespond);

}  // namespace
}  // namespace cliquet::bench
