// Version-4 sessions with Signal's post-quantum ratchet (SPQR), beside the
// version-3 figures of session_bench.cpp in the same run: the same
// scenarios, but every message also runs SPQR's send or receive (a chunk of
// an ML-KEM-768 key or ciphertext, now and then a key generation,
// encapsulation or decapsulation) and has its message keys salted by SPQR.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"
#include "sizes.hpp"

namespace cliquet::bench {
namespace {

// Alice and Bob with a PQXDH session in steady state: Bob has answered
// Alice's pre-key message, so both send plain SignalMessages, and SPQR,
// having heard from each side, salts every message key.
struct SpqrConversation {
    ProtocolAddress alice_address{"alice", 1};
    ProtocolAddress bob_address{"bob", 1};
    MemoryProtocolStore alice{IdentityKeyPair::generate(), 1111};
    MemoryProtocolStore bob{IdentityKeyPair::generate(), 2222};
    SessionCipher alice_to_bob{alice, bob_address};
    SessionCipher bob_to_alice{bob, alice_address};

    SpqrConversation() {
        const IdentityKeyPair& identity = bob.identities().identity_key_pair();
        const auto signed_pre_key = SignedPreKeyRecord::generate(1, identity, 1000, system_random());
        const auto kyber = KyberPreKeyRecord::generate(1, identity, 1000, system_random());
        const auto pre_key = PreKeyRecord::generate(1, system_random());
        bob.signed_pre_keys().store_signed_pre_key(signed_pre_key);
        bob.kyber_pre_keys().store_kyber_pre_key(kyber);
        bob.pre_keys().store_pre_key(pre_key);
        const PreKeyBundle bundle{
            .registration_id = 2222,
            .device_id = 1,
            .pre_key_id = 1,
            .pre_key = pre_key.key_pair().public_key,
            .signed_pre_key_id = 1,
            .signed_pre_key = signed_pre_key.key_pair().public_key,
            .signed_pre_key_signature = signed_pre_key.signature(),
            .identity_key = identity.public_key(),
            .kyber_pre_key_id = 1,
            .kyber_pre_key = kyber.key_pair().public_key,
            .kyber_pre_key_signature = kyber.signature(),
        };
        process_prekey_bundle(alice, bob_address, bundle);
        const std::vector<std::uint8_t> hello(16, 0x42);
        const auto first = alice_to_bob.encrypt(hello);
        bob_to_alice.decrypt(first.type, first.bytes);
        const auto reply = bob_to_alice.encrypt(hello);
        alice_to_bob.decrypt(reply.type, reply.bytes);
    }

    SessionCipher& sender(bool from_alice) { return from_alice ? alice_to_bob : bob_to_alice; }
    SessionCipher& receiver(bool from_alice) { return from_alice ? bob_to_alice : alice_to_bob; }
};

void BM_SessionEncryptV4Spqr(benchmark::State& state) {
    SpqrConversation c;
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(c.alice_to_bob.encrypt(plaintext));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SessionEncryptV4Spqr)->Apply(message_sizes);

void BM_SessionDecryptV4Spqr(benchmark::State& state) {
    SpqrConversation c;
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    // As BM_SessionDecrypt: messages made in batches outside the timed region.
    constexpr std::size_t kBatch = 512;
    std::vector<CiphertextMessage> batch;
    std::size_t next = kBatch;
    for (auto _ : state) {
        if (next == kBatch) {
            state.PauseTiming();
            batch.clear();
            for (std::size_t i = 0; i < kBatch; ++i) batch.push_back(c.alice_to_bob.encrypt(plaintext));
            next = 0;
            state.ResumeTiming();
        }
        const CiphertextMessage& message = batch[next++];
        benchmark::DoNotOptimize(c.bob_to_alice.decrypt(message.type, message.bytes));
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SessionDecryptV4Spqr)->Apply(message_sizes);

// Per message, taking turns as BM_RatchetRoundTrip does: each message takes a
// DH ratchet step, and SPQR's epochs complete (every ~40 messages each way,
// with their ML-KEM-768 key generation, encapsulation and decapsulation),
// so the figure is SPQR's average cost in a conversation.
void BM_RatchetRoundTripV4Spqr(benchmark::State& state) {
    SpqrConversation c;
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    bool from_alice = true;
    for (auto _ : state) {
        const CiphertextMessage message = c.sender(from_alice).encrypt(plaintext);
        benchmark::DoNotOptimize(c.receiver(from_alice).decrypt(message.type, message.bytes));
        from_alice = !from_alice;
    }
}
BENCHMARK(BM_RatchetRoundTripV4Spqr);

// Memory: Bob's record after 1,000 messages taking turns (as
// BM_SessionRecord_After1000Messages), now holding SPQR's state too.
void BM_SessionRecordV4Spqr_After1000Messages(benchmark::State& state) {
    SpqrConversation c;
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    for (int i = 0; i < 500; ++i) {
        const auto to_bob = c.alice_to_bob.encrypt(plaintext);
        c.bob_to_alice.decrypt(to_bob.type, to_bob.bytes);
        const auto to_alice = c.bob_to_alice.encrypt(plaintext);
        c.alice_to_bob.decrypt(to_alice.type, to_alice.bytes);
    }
    const SessionRecord record = c.bob.sessions().load_session(c.alice_address).value();
    std::size_t size = 0;
    for (auto _ : state) {
        const SecretBytes bytes = record.serialize();
        size = bytes.size();
        benchmark::DoNotOptimize(bytes.data());
    }
    state.counters["record_bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_SessionRecordV4Spqr_After1000Messages);

}  // namespace
}  // namespace cliquet::bench
