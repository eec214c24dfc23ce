// libolm 3.2 doing the same work as cliquet's session benchmarks.
#include <benchmark/benchmark.h>

#include <vector>

#include "olm_fixture.hpp"
#include "sizes.hpp"

namespace cliquet::bench {
namespace {

void BM_Olm_Encrypt(benchmark::State& state) {
    OlmPair pair;
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(pair.encrypt(true, plaintext));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Olm_Encrypt)->Apply(message_sizes);

void BM_Olm_Decrypt(benchmark::State& state) {
    OlmPair pair;
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    // Messages are made in batches outside the timed region so that only
    // decryption is measured; the batch amortizes the pause.
    constexpr std::size_t kBatch = 512;
    std::vector<OlmPair::Message> batch;
    std::size_t next = kBatch;
    for (auto _ : state) {
        if (next == kBatch) {
            state.PauseTiming();
            batch.clear();
            for (std::size_t i = 0; i < kBatch; ++i) batch.push_back(pair.encrypt(true, plaintext));
            next = 0;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(pair.decrypt(true, std::move(batch[next++])));
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Olm_Decrypt)->Apply(message_sizes);

// Per message, when every message starts a new DH ratchet step: Alice and Bob
// take turns, so each message is encrypted on a fresh sending chain.
void BM_Olm_RatchetRoundTrip(benchmark::State& state) {
    OlmPair pair;
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    bool alice_to_bob = true;
    for (auto _ : state) {
        benchmark::DoNotOptimize(pair.decrypt(alice_to_bob, pair.encrypt(alice_to_bob, plaintext)));
        alice_to_bob = !alice_to_bob;
    }
}
BENCHMARK(BM_Olm_RatchetRoundTrip);

}  // namespace
}  // namespace cliquet::bench
