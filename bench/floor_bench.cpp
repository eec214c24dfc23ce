// The primitive floor: each primitive operation a steady-state message needs,
// through the very implementations cliquet calls. Their sum, measured in the
// same run as the session benchmarks, is the cost no implementation of the
// protocol on these primitives can go below.
#include <benchmark/benchmark.h>

#include <sodium.h>

#include <array>
#include <vector>

#include "cliquet/random.hpp"
#include "crypto/aes.hpp"
#include "crypto/curve25519.hpp"
#include "crypto/hash.hpp"

namespace cliquet::bench {
namespace {

std::array<std::uint8_t, 32> random_key() {
    std::array<std::uint8_t, 32> key;
    system_random().fill(key);
    return key;
}

// Chain-key step: the message-key seed HMAC(ck, 0x01) and the next chain key
// HMAC(ck, 0x02), each under a key that changes with every message.
void BM_Floor_ChainKeyStep(benchmark::State& state) {
    auto chain_key = random_key();
    const std::uint8_t seed_input[] = {0x01};
    const std::uint8_t next_input[] = {0x02};
    for (auto _ : state) {
        const crypto::HmacSha256 keyed(chain_key);
        benchmark::DoNotOptimize(keyed.mac(seed_input));
        const auto next = keyed.mac(next_input);
        std::copy(next.begin(), next.end(), chain_key.begin());
    }
}
BENCHMARK(BM_Floor_ChainKeyStep);

// Message keys: 80 bytes of HKDF-SHA256 from the 32-byte seed.
void BM_Floor_MessageKeyHkdf(benchmark::State& state) {
    const auto seed = random_key();
    std::array<std::uint8_t, 80> keys;
    const auto info = as_bytes("WhisperMessageKeys");
    for (auto _ : state) {
        crypto::hkdf_sha256(keys, seed, {}, info);
        benchmark::DoNotOptimize(keys);
    }
}
BENCHMARK(BM_Floor_MessageKeyHkdf);

void BM_Floor_AesCbc(benchmark::State& state) {
    const auto key = random_key();
    std::array<std::uint8_t, 16> iv{};
    const std::vector<std::uint8_t> body(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(crypto::aes256_cbc_encrypt(key, iv, body));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Floor_AesCbc)->Arg(100)->Arg(1024);

// The message MAC: HMAC-SHA256 under a fresh key over both identity keys, the
// version byte and the serialized message (about 55 bytes of framing plus
// the padded ciphertext).
void BM_Floor_Mac(benchmark::State& state) {
    const auto key = random_key();
    const std::size_t padded = (static_cast<std::size_t>(state.range(0)) / 16 + 1) * 16;
    const std::vector<std::uint8_t> input(33 + 33 + 1 + 45 + padded, 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(crypto::HmacSha256(key).mac(input));
}
BENCHMARK(BM_Floor_Mac)->Arg(100)->Arg(1024);

// The DH ratchet's share: one key generation and two agreements per received
// ratchet step.
void BM_Floor_X25519Keygen(benchmark::State& state) {
    for (auto _ : state) {
        SecretArray<32> scalar;
        system_random().fill(scalar.span());
        crypto::clamp_x25519_scalar(scalar.span());
        benchmark::DoNotOptimize(crypto::x25519_base(scalar));
    }
}
BENCHMARK(BM_Floor_X25519Keygen);

void BM_Floor_X25519Agreement(benchmark::State& state) {
    SecretArray<32> scalar;
    system_random().fill(scalar.span());
    crypto::clamp_x25519_scalar(scalar.span());
    SecretArray<32> other;
    system_random().fill(other.span());
    crypto::clamp_x25519_scalar(other.span());
    const auto point = crypto::x25519_base(other);
    for (auto _ : state) benchmark::DoNotOptimize(crypto::x25519(scalar, point));
}
BENCHMARK(BM_Floor_X25519Agreement);

// XEdDSA's share of a group message. A sender-key message signs its version
// byte and serialized body: the padded ciphertext plus about 16 bytes of
// framing. `plaintext` is the group benchmarks' message size.
std::size_t signed_group_message_size(std::size_t plaintext) { return 1 + 16 + (plaintext / 16 + 1) * 16; }

// Signing: libsodium's Ed25519 signature (one base-point multiplication for
// the nonce, two SHA-512 hashes) plus what XEdDSA adds to it, the base-point
// multiplication that turns the X25519 private key into its Edwards public key.
void BM_Floor_XEdDsaSign(benchmark::State& state) {
    std::array<std::uint8_t, crypto_sign_ed25519_PUBLICKEYBYTES> public_key;
    SecretArray<crypto_sign_ed25519_SECRETKEYBYTES> secret_key;
    crypto_sign_ed25519_keypair(public_key.data(), secret_key.data());
    SecretArray<32> scalar;
    system_random().fill(scalar.span());
    crypto::clamp_x25519_scalar(scalar.span());
    const std::vector<std::uint8_t> message(signed_group_message_size(static_cast<std::size_t>(state.range(0))), 0x42);
    std::array<std::uint8_t, crypto_sign_ed25519_BYTES> signature;
    std::array<std::uint8_t, 32> edwards_public;
    for (auto _ : state) {
        benchmark::DoNotOptimize(crypto_scalarmult_ed25519_base_noclamp(edwards_public.data(), scalar.data()));
        crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(), secret_key.data());
        benchmark::DoNotOptimize(signature);
    }
}
BENCHMARK(BM_Floor_XEdDsaSign)->Arg(100)->Arg(1024);

// Verifying: libsodium's Ed25519 verification alone. The Montgomery-to-Edwards
// map XEdDSA needs depends on the verifying key only, so an implementation
// that remembers it for keys it sees again (a group's sender keys, a server's
// certificate key) pays nothing more per message.
void BM_Floor_XEdDsaVerify(benchmark::State& state) {
    std::array<std::uint8_t, crypto_sign_ed25519_PUBLICKEYBYTES> public_key;
    SecretArray<crypto_sign_ed25519_SECRETKEYBYTES> secret_key;
    crypto_sign_ed25519_keypair(public_key.data(), secret_key.data());
    const std::vector<std::uint8_t> message(signed_group_message_size(static_cast<std::size_t>(state.range(0))), 0x42);
    std::array<std::uint8_t, crypto_sign_ed25519_BYTES> signature;
    crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(), secret_key.data());
    for (auto _ : state)
        benchmark::DoNotOptimize(
            crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(), public_key.data()));
}
BENCHMARK(BM_Floor_XEdDsaVerify)->Arg(100)->Arg(1024);

}  // namespace
}  // namespace cliquet::bench
