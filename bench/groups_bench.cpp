// Group messages with sender keys through the public API an application
// calls, over in-memory stores: one chain step, one AES-256-CBC operation
// and one XEdDSA signature (encrypt) or verification (decrypt) per message,
// plus loading and storing the sender-key record each time.
#include <benchmark/benchmark.h>

#include <vector>

#include "cliquet/memory_store.hpp"
#include "cliquet/sender_keys.hpp"

namespace cliquet::bench {
namespace {

const ProtocolAddress kSender{"sender", 1};
const DistributionId kDistribution = {0x5e, 0x7d, 0x3a, 0x10, 0x42, 0x4b, 0x4f, 0x0c,
                                      0x9a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};

// A sender and one member holding its distribution message.
struct Group {
    MemorySenderKeyStore sender;
    MemorySenderKeyStore member;

    Group() {
        process_sender_key_distribution_message(
            member, kSender, create_sender_key_distribution_message(sender, kSender, kDistribution));
    }
};

void BM_GroupEncrypt(benchmark::State& state) {
    Group group;
    const Bytes plaintext(static_cast<std::size_t>(state.range(0)), 0x2a);
    for (auto _ : state) {
        auto message = group_encrypt(group.sender, kSender, kDistribution, plaintext);
        benchmark::DoNotOptimize(message.serialize().data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_GroupEncrypt)->Arg(100)->Arg(1024);

// Messages are decrypted in the order they were sent, each once; they are
// made in untimed batches so that only decryption is measured.
void BM_GroupDecrypt(benchmark::State& state) {
    constexpr std::size_t kBatch = 512;
    Group group;
    const Bytes plaintext(static_cast<std::size_t>(state.range(0)), 0x2a);
    std::vector<Bytes> batch;
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == batch.size()) {
            state.PauseTiming();
            batch.clear();
            for (std::size_t i = 0; i < kBatch; ++i)
                batch.push_back(group_encrypt(group.sender, kSender, kDistribution, plaintext).serialize());
            next = 0;
            state.ResumeTiming();
        }
        auto decrypted = group_decrypt(group.member, kSender, batch[next++]);
        benchmark::DoNotOptimize(decrypted.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_GroupDecrypt)->Arg(100)->Arg(1024);

}  // namespace
}  // namespace cliquet::bench
