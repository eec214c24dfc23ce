// Durable backlogs (issue 19): a device back online finds 500 messages from
// 50 senders queued and decrypts them into a SqliteStore that syncs every
// commit (Durability::power_loss), committed at once by decrypt_backlog
// (BM_DurableDecrypt/power_loss has the single calls' rate, one commit each).
// Target: BM_DurableBacklog/power_loss at least 10,000 decrypts per second
// (items_per_second).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "cliquet/backlog.hpp"
#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"
#include "durable_fixtures.hpp"

namespace cliquet::bench {
namespace {

constexpr int kSenders = 50;
constexpr int kMessagesEach = 10;
const ProtocolAddress kBob{"bob", 1};

// Bob, whose state is durable, and senders in memory, each with a session
// Bob has answered: what they queue are steady-state whisper messages.
struct Backlog {
    ScratchFile file;
    std::unique_ptr<SqliteStore> bob;
    std::vector<std::unique_ptr<MemoryProtocolStore>> senders;
    std::vector<QueuedMessage> queue;

    explicit Backlog(Durability durability) {
        SqliteStoreOptions options;
        options.durability = durability;
        bob = SqliteStore::create(file.path(), LocalDevice{kBob, IdentityKeyPair::generate(), 2222}, options);
        const PublishedKeys keys(*bob);
        for (int i = 0; i < kSenders; ++i) {
            auto& sender = *senders.emplace_back(
                std::make_unique<MemoryProtocolStore>(IdentityKeyPair::generate(), static_cast<std::uint32_t>(100 + i)));
            start_answered_session(sender, address_of(i), *bob, kBob, keys);
        }
    }

    static ProtocolAddress address_of(int sender) { return ProtocolAddress{"sender-" + std::to_string(sender), 1}; }

    // The next backlog: each sender's messages interleaved, as they arrived.
    void fill_queue() {
        queue.clear();
        const Bytes plaintext(100, 0x61);
        for (int round = 0; round < kMessagesEach; ++round)
            for (int i = 0; i < kSenders; ++i) {
                const ProtocolAddress address = address_of(i);
                const auto message =
                    SessionCipher(*senders[static_cast<std::size_t>(i)], address, kBob).encrypt(plaintext);
                queue.push_back(QueuedMessage::identified(address, message.type, message.bytes));
            }
    }
};

void BM_DurableBacklog(benchmark::State& state, Durability durability) {
    Backlog backlog(durability);
    const SealedSenderRecipient local{kBob.name, std::nullopt, kBob.device_id};
    const BacklogRecipient recipient{local, KeyPair::generate().public_key};
    for (auto _ : state) {
        state.PauseTiming();
        backlog.fill_queue();
        state.ResumeTiming();
        auto outcomes = decrypt_backlog(*backlog.bob, backlog.queue, recipient);
        benchmark::DoNotOptimize(outcomes.data());
    }
    state.SetItemsProcessed(state.iterations() * kSenders * kMessagesEach);
}
// Wall-clock time: a durable commit's cost is mostly waiting for the disk.
BENCHMARK_CAPTURE(BM_DurableBacklog, power_loss, Durability::power_loss)->UseRealTime();

}  // namespace
}  // namespace cliquet::bench
