// The KEMs against one X25519 agreement, measured in the same run: the
// target (issue 4) is that every Kyber1024 and ML-KEM-1024 operation costs
// at most 1.5 times BM_Floor_X25519Agreement (bench/floor_bench.cpp, the
// agreement cliquet itself runs).
#include <benchmark/benchmark.h>

#include <array>

#include "cliquet/random.hpp"
#include "crypto/kem/kem.hpp"

namespace {

using cliquet::crypto::kem::KemVariant;
namespace kem = cliquet::crypto::kem;

std::array<std::uint8_t, 64> fixed_seed() {
    std::array<std::uint8_t, 64> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(7 * i + 1);
    return seed;
}

void keygen(benchmark::State& state, KemVariant variant) {
    const auto seed = fixed_seed();
    for (auto _ : state) {
        auto pair = kem::keygen(variant, seed);
        benchmark::DoNotOptimize(pair.public_key.data());
    }
}

void encapsulate(benchmark::State& state, KemVariant variant) {
    const auto seed = fixed_seed();
    const auto pair = kem::keygen(variant, seed);
    const auto message = std::span<const std::uint8_t, 64>(seed).first<32>();
    for (auto _ : state) {
        auto result = kem::encapsulate(variant, pair.public_key, message);
        benchmark::DoNotOptimize(result.ciphertext.data());
    }
}

void decapsulate(benchmark::State& state, KemVariant variant) {
    const auto seed = fixed_seed();
    const auto pair = kem::keygen(variant, seed);
    const auto message = std::span<const std::uint8_t, 64>(seed).first<32>();
    const auto encapsulated = kem::encapsulate(variant, pair.public_key, message);
    for (auto _ : state) {
        auto secret = kem::decapsulate(variant, pair.secret_key.span(), encapsulated.ciphertext);
        benchmark::DoNotOptimize(secret.data());
    }
}

#define CLIQUET_KEM_BENCHMARKS(Name, variant)                                             \
    void BM_##Name##_Keygen(benchmark::State& state) { keygen(state, variant); }           \
    void BM_##Name##_Encapsulate(benchmark::State& state) { encapsulate(state, variant); } \
    void BM_##Name##_Decapsulate(benchmark::State& state) { decapsulate(state, variant); } \
    BENCHMARK(BM_##Name##_Keygen);                                                         \
    BENCHMARK(BM_##Name##_Encapsulate);                                                    \
    BENCHMARK(BM_##Name##_Decapsulate);

CLIQUET_KEM_BENCHMARKS(Kyber1024, KemVariant::kyber1024)
CLIQUET_KEM_BENCHMARKS(MlKem1024, KemVariant::mlkem1024)
CLIQUET_KEM_BENCHMARKS(MlKem768, KemVariant::mlkem768)
#undef CLIQUET_KEM_BENCHMARKS

}  // namespace
