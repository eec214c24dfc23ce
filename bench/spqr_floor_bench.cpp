// SPQR's floor per message (issue 19), through the implementations cliquet
// calls. Every message steps its epoch's chain and carries one erasure-code
// chunk (encoded by the sender, taken in by the receiver). Once per epoch
// and direction the authenticator MACs the ciphertext and ML-KEM-768 runs a
// key generation, an encapsulation and a decapsulation; their share per
// message is their cost divided by the messages an epoch takes in the
// benchmark's conversation (bench/README.md gives the sum). A one-way stream,
// as in BM_SessionEncryptV4Spqr, completes no epoch, so its share is zero.
#include <benchmark/benchmark.h>

#include <array>
#include <string_view>
#include <vector>

#include "cliquet/random.hpp"
#include "crypto/hash.hpp"
#include "crypto/kem/kem.hpp"
#include "protocol/spqr/erasure.hpp"

namespace cliquet::bench {
namespace {

namespace kem = crypto::kem;
using protocol::spqr::Chunk;
using protocol::spqr::ErasureDecoder;
using protocol::spqr::ErasureEncoder;

// The largest thing SPQR spreads over chunks: an ML-KEM-768 key vector.
constexpr std::size_t kEncodedSize = 1152;
constexpr std::size_t kSystematicChunks = kEncodedSize / 32;

Bytes random_bytes(std::size_t size) {
    Bytes out(size);
    system_random().fill(out);
    return out;
}

// The chain step: 64 bytes of HKDF-SHA256 (next chain key, message key) under
// the counter and the step's label.
void BM_Floor_SpqrChainStep(benchmark::State& state) {
    SecretArray<32> chain_key;
    system_random().fill(chain_key.span());
    constexpr std::array<std::uint8_t, 32> zero_salt{};
    constexpr std::string_view label = "Signal PQ Ratchet V1 Chain Next";
    std::array<std::uint8_t, 4 + label.size()> info{};
    std::copy(label.begin(), label.end(), info.begin() + 4);
    SecretArray<64> okm;
    for (auto _ : state) {
        crypto::hkdf_sha256(okm.span(), chain_key.span(), zero_salt, info);
        std::copy_n(okm.data(), 32, chain_key.data());
        benchmark::DoNotOptimize(okm.data());
    }
}
BENCHMARK(BM_Floor_SpqrChainStep);

// One chunk out, in the proportion an epoch sends them: the message's own
// 36 chunks, then parity from the interpolated polynomials (interpolated once,
// before timing, as a live encoder keeps them).
void BM_Floor_SpqrChunkEncode(benchmark::State& state) {
    ErasureEncoder encoder(random_bytes(kEncodedSize));
    constexpr std::uint16_t kChunksPerEpoch = 40;
    for (std::uint16_t i = 0; i < kChunksPerEpoch; ++i) (void)encoder.next_chunk();
    std::uint16_t index = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(encoder.chunk_at(index));
        index = static_cast<std::uint16_t>((index + 1) % kChunksPerEpoch);
    }
}
BENCHMARK(BM_Floor_SpqrChunkEncode);

// One chunk in: each of the 36 chunks that rebuild a key vector taken in,
// and the vector decoded once they all are, per 36 iterations.
void BM_Floor_SpqrChunkDecode(benchmark::State& state) {
    ErasureEncoder encoder(random_bytes(kEncodedSize));
    std::vector<Chunk> chunks;
    for (std::size_t i = 0; i < kSystematicChunks; ++i) chunks.push_back(encoder.next_chunk());
    std::optional<ErasureDecoder> decoder(std::in_place, kEncodedSize);
    std::size_t next = 0;
    for (auto _ : state) {
        decoder->add_chunk(chunks[next++]);
        if (next == chunks.size()) {
            benchmark::DoNotOptimize(decoder->decoded());
            decoder.emplace(kEncodedSize);
            next = 0;
        }
    }
}
BENCHMARK(BM_Floor_SpqrChunkDecode);

// Once per epoch: the authenticator's HMAC-SHA256 over the ciphertext
// (ct1 || ct2, 1,088 bytes) under its label and the epoch.
void BM_Floor_SpqrAuthenticatorMac(benchmark::State& state) {
    const auto key = random_bytes(32);
    const auto ciphertext = random_bytes(1088);
    constexpr std::string_view label = "Signal_PQCKA_V1_MLKEM768:ciphertext";
    const std::array<std::uint8_t, 8> epoch{0, 0, 0, 0, 0, 0, 0, 7};
    for (auto _ : state) benchmark::DoNotOptimize(crypto::HmacSha256(key).mac({as_bytes(label), epoch, ciphertext}));
}
BENCHMARK(BM_Floor_SpqrAuthenticatorMac);

// Once per epoch: ML-KEM-768 key generation, encapsulation and decapsulation.
void BM_Floor_SpqrEpochKem(benchmark::State& state) {
    std::array<std::uint8_t, 64> seed;
    std::array<std::uint8_t, 32> message;
    for (auto _ : state) {
        system_random().fill(seed);
        system_random().fill(message);
        const auto pair = kem::keygen(kem::KemVariant::mlkem768, seed);
        const auto encapsulated = kem::encapsulate(kem::KemVariant::mlkem768, pair.public_key, message);
        benchmark::DoNotOptimize(
            kem::decapsulate(kem::KemVariant::mlkem768, pair.secret_key.span(), encapsulated.ciphertext));
    }
}
BENCHMARK(BM_Floor_SpqrEpochKem);

}  // namespace
}  // namespace cliquet::bench
