// Sealed sender: sealing and opening version 1 envelopes, sealing version 2
// messages to 1 to 1,000 recipients, and the server's fan-out.
//
// The target (issue 5) is a per-recipient marginal cost of seal_multi of at
// most 1.3 times BM_Floor_X25519Agreement (bench/floor_bench.cpp), measured in
// the same run: the marginal cost is (T(1000) - T(1)) / 999 of BM_SealMulti.
// A recipient costs one agreement with the message's ephemeral key plus one
// with the sender's identity key; MultiRecipientSealer keeps the second per
// recipient, as a client sending to the same group again would.
// BM_SealMultiCold starts from an empty cache every time, for comparison.
#include <benchmark/benchmark.h>

#include <vector>

#include "cliquet/certificates.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"

namespace cliquet::bench {
namespace {

constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'800'000'000'000);

struct SealedWorld {
    KeyPair root = KeyPair::generate();
    KeyPair server_key = KeyPair::generate();
    ServerCertificate server = ServerCertificate::create(1, server_key.public_key, root.private_key);
    IdentityKeyPair sender = IdentityKeyPair::generate();
    IdentityKeyPair recipient = IdentityKeyPair::generate();
    SenderCertificate certificate = SenderCertificate::create(
        {"3e0a4b6c-1d2e-4f30-8a41-5b6c7d8e9f00", std::nullopt, 1, sender.public_key()}, kExpiration, server,
        server_key.private_key);
    // A typical inner message: a whisper message of a short text.
    UnidentifiedSenderMessageContent content{CiphertextType::whisper, certificate, Bytes(180, 0x42)};
};

const SealedWorld& world() {
    static const SealedWorld instance;
    return instance;
}

// `count` recipient accounts with one device each (sealing cost grows with
// accounts; extra devices only add three bytes each).
std::vector<SealedRecipient> recipients(std::size_t count) {
    std::vector<SealedRecipient> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Uuid uuid{};
        uuid[14] = static_cast<std::uint8_t>(i >> 8);
        uuid[15] = static_cast<std::uint8_t>(i);
        out.push_back({ServiceId::aci(uuid), IdentityKeyPair::generate().public_key(),
                       {{1, static_cast<std::uint32_t>(i & 0x3fff)}}});
    }
    return out;
}

void BM_SealV1(benchmark::State& state) {
    const SealedWorld& w = world();
    for (auto _ : state) benchmark::DoNotOptimize(seal_v1(w.content, w.sender, w.recipient.public_key()));
}
BENCHMARK(BM_SealV1);

// Opening alone, as libsignal's sealed_sender_decrypt_to_usmc.
void BM_UnsealV1(benchmark::State& state) {
    const SealedWorld& w = world();
    const Bytes envelope = seal_v1(w.content, w.sender, w.recipient.public_key());
    for (auto _ : state) benchmark::DoNotOptimize(unseal_unvalidated(envelope, w.recipient));
}
BENCHMARK(BM_UnsealV1);

// Opening and validating the certificate chain (two XEdDSA verifications).
void BM_UnsealV1Validated(benchmark::State& state) {
    const SealedWorld& w = world();
    const Bytes envelope = seal_v1(w.content, w.sender, w.recipient.public_key());
    for (auto _ : state) benchmark::DoNotOptimize(unseal(envelope, w.recipient, w.root.public_key, Timestamp{}));
}
BENCHMARK(BM_UnsealV1Validated);

void BM_SealMulti(benchmark::State& state) {
    const SealedWorld& w = world();
    const auto list = recipients(static_cast<std::size_t>(state.range(0)));
    MultiRecipientSealer sealer(w.sender);
    (void)sealer.seal(w.content, list);  // a client that has sent to this group before
    for (auto _ : state) benchmark::DoNotOptimize(sealer.seal(w.content, list));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SealMulti)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

void BM_SealMultiCold(benchmark::State& state) {
    const SealedWorld& w = world();
    const auto list = recipients(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(seal_v2(w.content, w.sender, list));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SealMultiCold)->Arg(1)->Arg(1000);

// The server's step: parse a sent message and cut every received message.
void BM_Fanout(benchmark::State& state) {
    const SealedWorld& w = world();
    const Bytes sent = seal_v2(w.content, w.sender, recipients(static_cast<std::size_t>(state.range(0))));
    for (auto _ : state) {
        const auto parsed = SealedSenderV2SentMessage::parse(sent);
        for (const auto& recipient : parsed.recipients()) benchmark::DoNotOptimize(parsed.received_message(recipient));
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(sent.size()));
}
BENCHMARK(BM_Fanout)->Arg(10)->Arg(1000);

void BM_UnsealV2(benchmark::State& state) {
    const SealedWorld& w = world();
    const SealedRecipient to{ServiceId::aci(Uuid{}), w.recipient.public_key(), {{1, 1}}};
    const auto parsed = SealedSenderV2SentMessage::parse(seal_v2(w.content, w.sender, {&to, 1}));
    const Bytes received = parsed.received_message(parsed.recipients()[0]);
    for (auto _ : state) benchmark::DoNotOptimize(unseal_unvalidated(received, w.recipient));
}
BENCHMARK(BM_UnsealV2);

}  // namespace
}  // namespace cliquet::bench
