// cliquet's 1:1 sessions through the public API an application calls:
// SessionCipher over in-memory stores, sessions started from pre-key bundles.
// bench/olm_bench.cpp runs the same scenarios in libolm, and
// bench/floor_bench.cpp the primitives underneath.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"
#include "sizes.hpp"

namespace cliquet::bench {
namespace {

constexpr SignedPreKeyId kSignedPreKeyId = 1;
constexpr KyberPreKeyId kKyberPreKeyId = 1;

// One device: an identity and its stores.
struct Device {
    ProtocolAddress address;
    IdentityKeyPair identity;
    std::uint32_t registration_id;
    std::unique_ptr<MemoryProtocolStore> store;

    Device(std::string name, std::uint32_t registration)
        : address{std::move(name), 1},
          identity(IdentityKeyPair::generate()),
          registration_id(registration),
          store(std::make_unique<MemoryProtocolStore>(identity, registration)) {}

    // Stores a signed pre-key and a last-resort Kyber pre-key, as a device
    // does when it registers.
    void publish_keys() {
        store->signed_pre_keys().store_signed_pre_key(
            SignedPreKeyRecord::generate(kSignedPreKeyId, identity, timestamp_from_unix_ms(1000), system_random()));
        store->kyber_pre_keys().store_kyber_pre_key(
            KyberPreKeyRecord::generate(kKyberPreKeyId, identity, timestamp_from_unix_ms(1000), system_random()),
            KyberPreKeyKind::last_resort);
    }

    // A bundle with one-time pre-key `pre_key_id` (stored now), with or
    // without the Kyber pre-key (PQXDH or X3DH): the last-resort one, or a
    // one-time one stored now under `one_time_kyber`.
    PreKeyBundle bundle(PreKeyId pre_key_id, bool pqxdh, std::optional<KyberPreKeyId> one_time_kyber = std::nullopt) {
        const auto pre_key = PreKeyRecord::generate(pre_key_id, system_random());
        store->pre_keys().store_pre_key(pre_key);
        const auto signed_pre_key = store->signed_pre_keys().load_signed_pre_key(kSignedPreKeyId).value();
        PreKeyBundle out{
            .registration_id = registration_id,
            .device_id = address.device_id,
            .pre_key_id = pre_key_id,
            .pre_key = pre_key.key_pair().public_key,
            .signed_pre_key_id = kSignedPreKeyId,
            .signed_pre_key = signed_pre_key.key_pair().public_key,
            .signed_pre_key_signature = signed_pre_key.signature(),
            .identity_key = identity.public_key(),
        };
        if (one_time_kyber)
            store->kyber_pre_keys().store_kyber_pre_key(
                KyberPreKeyRecord::generate(*one_time_kyber, identity, timestamp_from_unix_ms(1000), system_random()),
                KyberPreKeyKind::one_time);
        if (pqxdh) {
            const KyberPreKeyId kyber_id = one_time_kyber.value_or(kKyberPreKeyId);
            const auto kyber = store->kyber_pre_keys().load_kyber_pre_key(kyber_id).value();
            out.kyber_pre_key_id = kyber_id;
            out.kyber_pre_key = kyber.key_pair().public_key;
            out.kyber_pre_key_signature = kyber.signature();
        }
        return out;
    }
};

// Which session a benchmark runs: X3DH (version 3), the classic Double
// Ratchet alone, which the unsuffixed names measure; or PQXDH (version 4),
// where every message also runs SPQR's send or receive and has its message
// keys salted by SPQR (the V4Spqr names).
enum class Session { x3dh, pqxdh_spqr };

// Alice and Bob with a session in steady state: Bob has answered Alice's
// pre-key message, so both send plain SignalMessages (and SPQR, having heard
// from each side, salts every message key of a version-4 session).
struct Conversation {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    // X3DH sessions exist only under the opt-in policy.
    SessionOptions options;
    SessionCipher alice_to_bob;
    SessionCipher bob_to_alice;

    explicit Conversation(Session session = Session::x3dh)
        : options{.pq_ratchet = session == Session::x3dh ? PqRatchetPolicy::offer : PqRatchetPolicy::require},
          alice_to_bob{*alice.store, alice.address, bob.address, options},
          bob_to_alice{*bob.store, bob.address, alice.address, options} {
        bob.publish_keys();
        process_pre_key_bundle(*alice.store, bob.address, bob.bundle(1, session == Session::pqxdh_spqr),
                              system_random(), options);
        const std::vector<std::uint8_t> hello(16, 0x42);
        auto first = alice_to_bob.encrypt(hello);
        (void)bob_to_alice.decrypt(first.type, first.bytes);
        auto reply = bob_to_alice.encrypt(hello);
        (void)alice_to_bob.decrypt(reply.type, reply.bytes);
    }

    SessionCipher& sender(bool from_alice) { return from_alice ? alice_to_bob : bob_to_alice; }
    SessionCipher& receiver(bool from_alice) { return from_alice ? bob_to_alice : alice_to_bob; }
};

void session_encrypt(benchmark::State& state, Session session) {
    Conversation c(session);
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(c.alice_to_bob.encrypt(plaintext));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_SessionEncrypt(benchmark::State& state) { session_encrypt(state, Session::x3dh); }
BENCHMARK(BM_SessionEncrypt)->Apply(message_sizes);

void BM_SessionEncryptV4Spqr(benchmark::State& state) { session_encrypt(state, Session::pqxdh_spqr); }
BENCHMARK(BM_SessionEncryptV4Spqr)->Apply(message_sizes);

void session_decrypt(benchmark::State& state, Session session) {
    Conversation c(session);
    const std::vector<std::uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    // Messages are made in batches outside the timed region so that only
    // decryption is measured; the batch amortizes the pause.
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

void BM_SessionDecrypt(benchmark::State& state) { session_decrypt(state, Session::x3dh); }
BENCHMARK(BM_SessionDecrypt)->Apply(message_sizes);

void BM_SessionDecryptV4Spqr(benchmark::State& state) { session_decrypt(state, Session::pqxdh_spqr); }
BENCHMARK(BM_SessionDecryptV4Spqr)->Apply(message_sizes);

// Per message, when every message starts a new DH ratchet step: Alice and
// Bob take turns, so each message is decrypted with a fresh receiving chain
// (one X25519 key generation and two agreements) and encrypted on a fresh
// sending chain. In a version-4 session SPQR's epochs also complete (every
// ~40 messages each way, with their ML-KEM-768 key generation,
// encapsulation and decapsulation), so its figure is SPQR's average cost in
// a conversation.
void ratchet_round_trip(benchmark::State& state, Session session) {
    Conversation c(session);
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    bool from_alice = true;
    for (auto _ : state) {
        const CiphertextMessage message = c.sender(from_alice).encrypt(plaintext);
        benchmark::DoNotOptimize(c.receiver(from_alice).decrypt(message.type, message.bytes));
        from_alice = !from_alice;
    }
}

void BM_RatchetRoundTrip(benchmark::State& state) { ratchet_round_trip(state, Session::x3dh); }
BENCHMARK(BM_RatchetRoundTrip);

void BM_RatchetRoundTripV4Spqr(benchmark::State& state) { ratchet_round_trip(state, Session::pqxdh_spqr); }
BENCHMARK(BM_RatchetRoundTripV4Spqr);

// Starting a session from a bundle, as for a new contact: each iteration
// uses fresh stores for the initiator (an empty MemoryProtocolStore costs a
// few allocations, under 1% of a handshake), so no earlier session is
// archived.
void initiate(benchmark::State& state, bool pqxdh) {
    Device alice("alice", 1111);
    Device bob("bob", 2222);
    bob.publish_keys();
    const PreKeyBundle bundle = bob.bundle(1, pqxdh);
    for (auto _ : state) {
        MemoryProtocolStore store(alice.identity, alice.registration_id);
        process_pre_key_bundle(store, bob.address, bundle);
        benchmark::ClobberMemory();
    }
}

void BM_X3dhInitiate(benchmark::State& state) { initiate(state, false); }
BENCHMARK(BM_X3dhInitiate);

void BM_PqxdhInitiate(benchmark::State& state) { initiate(state, true); }
BENCHMARK(BM_PqxdhInitiate);

// The responder's side of PQXDH: decrypting the first (pre-key) message of a
// new contact, which consumes a one-time pre-key, decapsulates the Kyber
// ciphertext and creates the session. Each batch has a fresh responder store
// and one message from each of kBatch initiators (distinct addresses), made
// outside the timed region. The Kyber pre-key is the last-resort one, whose
// store remembers each base key; BM_PqxdhRespondOneTimeKyber gives each
// initiator a one-time Kyber key instead, which the store removes.
void respond(benchmark::State& state, bool one_time_kyber) {
    constexpr std::size_t kBatch = 64;
    Device alice("alice", 1111);
    Device bob("bob", 2222);
    bob.publish_keys();
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    struct Incoming {
        ProtocolAddress from;
        CiphertextMessage message{CiphertextType::pre_key, {}};
    };
    std::vector<Incoming> batch;
    std::size_t next = kBatch;
    PreKeyId pre_key_id = 1;
    for (auto _ : state) {
        if (next == kBatch) {
            state.PauseTiming();
            bob.store = std::make_unique<MemoryProtocolStore>(bob.identity, bob.registration_id);
            bob.publish_keys();
            batch.clear();
            for (std::size_t i = 0; i < kBatch; ++i) {
                MemoryProtocolStore sender(alice.identity, alice.registration_id);
                const PreKeyId id = pre_key_id++;
                process_pre_key_bundle(sender, bob.address,
                                      bob.bundle(id, true, one_time_kyber ? std::optional<KyberPreKeyId>(id.value() + 1)
                                                                          : std::nullopt));
                Incoming& incoming = batch.emplace_back();
                incoming.from = ProtocolAddress{"alice-" + std::to_string(i), 1};
                incoming.message = SessionCipher(sender, incoming.from, bob.address).encrypt(plaintext);
            }
            next = 0;
            state.ResumeTiming();
        }
        const Incoming& incoming = batch[next++];
        SessionCipher cipher(*bob.store, bob.address, incoming.from);
        benchmark::DoNotOptimize(cipher.decrypt(incoming.message.type, incoming.message.bytes));
    }
}

void BM_PqxdhRespond(benchmark::State& state) { respond(state, false); }
BENCHMARK(BM_PqxdhRespond);

void BM_PqxdhRespondOneTimeKyber(benchmark::State& state) { respond(state, true); }
BENCHMARK(BM_PqxdhRespondOneTimeKyber);

// The store's share of each message: what SessionCipher does to the store
// around the cryptography, a load_session (a copy, by the SessionStore
// contract) and a store_session (which replaces, so destroys, the old
// record), on a steady-state record.
void BM_SessionStoreRoundTrip(benchmark::State& state) {
    Conversation c;
    SessionStore& sessions = c.alice.store->sessions();
    for (auto _ : state) {
        auto record = sessions.load_session(c.bob.address);
        sessions.store_session(c.bob.address, std::move(record.value()));
    }
}
BENCHMARK(BM_SessionStoreRoundTrip);

// Memory: the serialized size of a session record (what a persistent store
// writes per message) in three states, reported as the counter
// record_bytes; the time is that of SessionRecord::serialize.
void record_size(benchmark::State& state, const SessionRecord& record) {
    std::size_t size = 0;
    for (auto _ : state) {
        const SecretBytes bytes = record.serialize();
        size = bytes.size();
        benchmark::DoNotOptimize(bytes.data());
    }
    state.counters["record_bytes"] = static_cast<double>(size);
}

// Bob's record after 1,000 messages, alternating direction so that each one
// takes a DH ratchet step and the receiving chains reach their cap of five
// (in a version-4 session, also holding SPQR's state).
void record_after_1000_messages(benchmark::State& state, Session session) {
    Conversation c(session);
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    for (int i = 0; i < 500; ++i) {
        const auto to_bob = c.alice_to_bob.encrypt(plaintext);
        (void)c.bob_to_alice.decrypt(to_bob.type, to_bob.bytes);
        const auto to_alice = c.bob_to_alice.encrypt(plaintext);
        (void)c.alice_to_bob.decrypt(to_alice.type, to_alice.bytes);
    }
    record_size(state, c.bob.store->sessions().load_session(c.alice.address).value());
}

void BM_SessionRecord_After1000Messages(benchmark::State& state) {
    record_after_1000_messages(state, Session::x3dh);
}
BENCHMARK(BM_SessionRecord_After1000Messages);

void BM_SessionRecordV4Spqr_After1000Messages(benchmark::State& state) {
    record_after_1000_messages(state, Session::pqxdh_spqr);
}
BENCHMARK(BM_SessionRecordV4Spqr_After1000Messages);

// Holding the keys of 1,500 skipped messages: Bob receives only the 1,501st
// of Alice's messages.
void BM_SessionRecord_1500SkippedKeys(benchmark::State& state) {
    Conversation c;
    const std::vector<std::uint8_t> plaintext(100, 0x42);
    for (int i = 0; i < 1500; ++i) (void)c.alice_to_bob.encrypt(plaintext);
    const auto last = c.alice_to_bob.encrypt(plaintext);
    (void)c.bob_to_alice.decrypt(last.type, last.bytes);
    record_size(state, c.bob.store->sessions().load_session(c.alice.address).value());
}
BENCHMARK(BM_SessionRecord_1500SkippedKeys);

}  // namespace
}  // namespace cliquet::bench
