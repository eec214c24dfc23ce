// Durable decrypts (issue 7): Bob decrypts Alice's messages with his state
// in a SqliteStore, each decrypt one committed transaction, against the same
// decrypts with an in-memory store in the same run. Target: at least 10,000
// durable decrypts per second on one core.
//
//   BM_MemoryDecrypt                 MemoryProtocolStore
//   BM_DurableDecrypt/power_loss     SqliteStore, synchronous=FULL (default):
//                                    every commit waits for the disk
//   BM_DurableDecrypt/process_crash  synchronous=NORMAL: every commit reaches
//                                    the OS, which is what SIGKILL tests
//   BM_DurableDecrypt/sealed         process_crash plus encryption at rest
// each with Erasure::on_commit (the default: a checkpoint after every commit
// erases the old chain keys from the log) and again as <name>_deferred with
// Erasure::deferred (SQLite's own checkpoints every 1000 pages).
#include <benchmark/benchmark.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"
#include "durable_fixtures.hpp"

namespace cliquet::bench {
namespace {

constexpr std::size_t kBatch = 4096;  // messages encrypted ahead of the timed decrypts
const ProtocolAddress kAlice{"alice", 1};
const ProtocolAddress kBob{"bob", 1};

// Alice (in memory) has a PQXDH session with Bob (in `bob_store`), Bob has
// answered, and Alice keeps sending: Bob's decrypts are steady-state
// SignalMessages on one chain.
struct Conversation {
    MemoryProtocolStore alice{IdentityKeyPair::generate(), 1111};
    ProtocolStore& bob;
    std::vector<CiphertextMessage> in_flight;
    std::size_t next = 0;

    explicit Conversation(ProtocolStore& bob_store) : bob(bob_store) {
        const PublishedKeys keys(bob);
        const auto pre_key = PreKeyRecord::generate(1);
        bob.pre_keys().store_pre_key(pre_key);
        start_answered_session(alice, kAlice, bob, kBob, keys, &pre_key);
    }

    void encrypt_batch() {
        in_flight.clear();
        next = 0;
        SessionCipher to_bob(alice, kAlice, kBob);
        const Bytes plaintext(100, 0x61);  // a typical short message
        for (std::size_t i = 0; i < kBatch; ++i) in_flight.push_back(to_bob.encrypt(plaintext));
    }
};

void run_decrypts(benchmark::State& state, ProtocolStore& bob) {
    Conversation conversation(bob);
    conversation.encrypt_batch();
    SessionCipher from_alice(bob, kBob, kAlice);
    for (auto _ : state) {
        if (conversation.next == conversation.in_flight.size()) {
            state.PauseTiming();
            conversation.encrypt_batch();
            state.ResumeTiming();
        }
        const CiphertextMessage& message = conversation.in_flight[conversation.next++];
        Bytes plaintext = from_alice.decrypt(message.type, message.bytes);
        benchmark::DoNotOptimize(plaintext.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_MemoryDecrypt(benchmark::State& state) {
    MemoryProtocolStore bob(IdentityKeyPair::generate(), 2222);
    run_decrypts(state, bob);
}
// Wall-clock time throughout: a durable commit's cost is mostly waiting
// for the disk, which CPU time would hide.
BENCHMARK(BM_MemoryDecrypt)->UseRealTime();

void BM_DurableDecrypt(benchmark::State& state, Durability durability, Erasure erasure, bool sealed) {
    ScratchFile file;
    SqliteStoreOptions options;
    options.durability = durability;
    options.erasure = erasure;
    if (sealed) {
        StorageKey key;
        system_random().fill(key.span());
        options.storage_key = key;
    }
    auto bob = SqliteStore::create(file.path(), LocalDevice{kBob, IdentityKeyPair::generate(), 2222}, options);
    run_decrypts(state, *bob);
}
BENCHMARK_CAPTURE(BM_DurableDecrypt, power_loss, Durability::power_loss, Erasure::on_commit, false)->UseRealTime();
BENCHMARK_CAPTURE(BM_DurableDecrypt, process_crash, Durability::process_crash, Erasure::on_commit, false)->UseRealTime();
BENCHMARK_CAPTURE(BM_DurableDecrypt, sealed, Durability::process_crash, Erasure::on_commit, true)->UseRealTime();
BENCHMARK_CAPTURE(BM_DurableDecrypt, power_loss_deferred, Durability::power_loss, Erasure::deferred, false)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DurableDecrypt, process_crash_deferred, Durability::process_crash, Erasure::deferred, false)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DurableDecrypt, sealed_deferred, Durability::process_crash, Erasure::deferred, true)
    ->UseRealTime();

}  // namespace
}  // namespace cliquet::bench
