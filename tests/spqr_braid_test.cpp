// SPQR's KEM braid (docs/spqr.md 1.5): two braids agree one secret per
// epoch, each message's payload is what the state calls for, refusals
// (header MAC, key vector against its header, ciphertext MAC, epochs ahead)
// leave nothing changed, and the messages two libsignal 0.103 devices
// exchanged (tests/data/spqr_libsignal_chunks.json) drive a cliquet braid in
// each role as far as public bytes allow: the auth key is not public, so
// libsignal's header MAC and ciphertext MAC cannot be checked here (the
// end-to-end proof is interop against libsignal).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/braid.hpp"
#include "protocol/spqr/message.hpp"
#include "spqr_test_helpers.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;
using namespace cliquet::spqr_test;

namespace {

// Two braids talking in turn, every message delivered; the epoch secrets
// each emitted, by epoch.
struct Pair {
    Braid alice = Braid::initial(filled_key(1), Direction::a2b);
    Braid bob = Braid::initial(filled_key(1), Direction::b2a);
    DeterministicRandom alice_random = seeded_random(2);
    DeterministicRandom bob_random = seeded_random(3);
    std::map<Epoch, Key32> alice_secrets, bob_secrets;

    static void keep(std::map<Epoch, Key32>& secrets, const std::optional<EpochSecret>& secret) {
        if (!secret) return;
        REQUIRE(secrets.count(secret->epoch) == 0);
        secrets.emplace(secret->epoch, secret->secret);
    }
    Message alice_sends() {
        auto sent = alice.send(alice_random);
        keep(alice_secrets, sent.secret);
        alice = sent.next;
        return sent.message;
    }
    Message bob_sends() {
        auto sent = bob.send(bob_random);
        keep(bob_secrets, sent.secret);
        bob = sent.next;
        return sent.message;
    }
    void to_bob(const Message& m) {
        auto received = bob.recv(m);
        keep(bob_secrets, received.secret);
        bob = received.next;
    }
    void to_alice(const Message& m) {
        auto received = alice.recv(m);
        keep(alice_secrets, received.secret);
        alice = received.next;
    }
    void exchange() {
        to_bob(alice_sends());
        to_alice(bob_sends());
    }
};

struct Captured {
    char from;
    Message message;
};

std::vector<Captured> captured_messages() {
    std::ifstream in(CLIQUET_SOURCE_DIR "/tests/data/spqr_libsignal_chunks.json");
    REQUIRE(in.good());
    const nlohmann::json file = nlohmann::json::parse(in);
    std::vector<Captured> out;
    for (const auto& m : file.at("messages")) {
        out.push_back(Captured{m.at("from").get<std::string>().at(0),
                               decode_message(from_hex(m.at("pq_ratchet").get<std::string>()))});
    }
    return out;
}

Bytes systematic(const std::vector<Captured>& messages, char from, Epoch epoch, PayloadType a, PayloadType b,
                 std::size_t size) {
    Bytes out(size);
    for (const auto& c : messages) {
        if (c.from != from || c.message.epoch != epoch || (c.message.type != a && c.message.type != b)) continue;
        const std::size_t at = std::size_t{c.message.chunk.index} * kChunkDataSize;
        if (at < size) std::copy(c.message.chunk.data.begin(), c.message.chunk.data.end(), out.begin() + at);
    }
    return out;
}

}  // namespace

TEST_CASE("SPQR braid: the states follow docs/spqr.md and agree a secret per epoch", "[spqr][braid]") {
    Pair pair;
    CHECK(pair.alice.state_name() == "KeysUnsampled");
    CHECK(pair.bob.state_name() == "NoHeaderReceived");
    // Epoch 1, in lockstep: Alice's header takes 3 chunks.
    for (int i = 0; i < 3; ++i) {
        const Message m = pair.alice_sends();
        CHECK(m.type == PayloadType::header);
        CHECK(pair.alice.state_name() == "KeysSampled");
        pair.to_bob(m);
    }
    CHECK(pair.bob.state_name() == "HeaderReceived");
    // Bob's first ciphertext chunk: he knows the secret of epoch 1.
    Message m = pair.bob_sends();
    CHECK(m.type == PayloadType::ciphertext1);
    CHECK(pair.bob.state_name() == "Ct1Sampled");
    CHECK(pair.bob_secrets.count(1) == 1);
    pair.to_alice(m);
    CHECK(pair.alice.state_name() == "HeaderSent");
    // Ciphertext 1 takes 30 chunks; Alice meanwhile sends her key vector.
    for (int i = 1; i < 30; ++i) {
        const Message key_chunk = pair.alice_sends();
        CHECK(key_chunk.type == PayloadType::key);
        pair.to_bob(key_chunk);
        pair.to_alice(pair.bob_sends());
    }
    CHECK(pair.alice.state_name() == "Ct1Received");
    // Bob has 29 of the 36 vector chunks; Alice acknowledges ct1 with the rest.
    CHECK(pair.bob.state_name() == "Ct1Sampled");
    for (int i = 0; i < 7; ++i) {
        const Message ack = pair.alice_sends();
        CHECK(ack.type == PayloadType::key_and_ct1_ack);
        pair.to_bob(ack);
    }
    CHECK(pair.bob.state_name() == "Ct2Sampled");
    for (int i = 0; i < 5; ++i) {
        const Message ct2 = pair.bob_sends();
        CHECK(ct2.type == PayloadType::ciphertext2);
        CHECK(pair.alice.state_name() != "NoHeaderReceived");
        pair.to_alice(ct2);
    }
    // Alice decapsulated: same secret, and she is the ct sender of epoch 2.
    CHECK(pair.alice.state_name() == "NoHeaderReceived");
    CHECK(pair.alice.epoch() == 2);
    REQUIRE(pair.alice_secrets.count(1) == 1);
    CHECK(pair.alice_secrets.at(1) == pair.bob_secrets.at(1));
    // Her next message (epoch 2) moves Bob to the ek sender of epoch 2.
    const Message none = pair.alice_sends();
    CHECK(none.type == PayloadType::none);
    CHECK(none.epoch == 2);
    pair.to_bob(none);
    CHECK(pair.bob.state_name() == "KeysUnsampled");
    CHECK(pair.bob.epoch() == 2);

    // Keep going: every epoch's secrets agree, the roles alternating.
    while (pair.alice.epoch() < 8) pair.exchange();
    CHECK(pair.alice_secrets.size() >= 6);
    for (const auto& [epoch, secret] : pair.alice_secrets) {
        if (pair.bob_secrets.count(epoch) != 0) CHECK(pair.bob_secrets.at(epoch) == secret);
    }
    CHECK_FALSE(pair.alice_secrets.at(1) == pair.alice_secrets.at(2));
}

TEST_CASE("SPQR braid: a late ct1 acknowledgement after the key vector", "[spqr][braid]") {
    Pair pair;
    for (int i = 0; i < 3; ++i) pair.to_bob(pair.alice_sends());
    std::vector<Message> ct1;
    for (int i = 0; i < 30; ++i) ct1.push_back(pair.bob_sends());
    pair.to_alice(ct1[0]);
    // Bob gets the whole vector as plain key chunks before Alice has ct1.
    for (int i = 0; i < 36; ++i) pair.to_bob(pair.alice_sends());
    CHECK(pair.bob.state_name() == "EkReceivedCt1Sampled");
    for (std::size_t i = 1; i < ct1.size(); ++i) pair.to_alice(ct1[i]);
    const Message ack = pair.alice_sends();
    CHECK(ack.type == PayloadType::key_and_ct1_ack);
    pair.to_bob(ack);
    CHECK(pair.bob.state_name() == "Ct2Sampled");
}

TEST_CASE("SPQR braid: an acknowledgement before the vector is complete", "[spqr][braid]") {
    Pair pair;
    for (int i = 0; i < 3; ++i) pair.to_bob(pair.alice_sends());
    for (int i = 0; i < 30; ++i) pair.to_alice(pair.bob_sends());
    CHECK(pair.alice.state_name() == "Ct1Received");
    // Only the acknowledging chunks 0..34 reach Bob: acknowledged, vector short.
    std::vector<Message> key_chunks;
    for (int i = 0; i < 36; ++i) key_chunks.push_back(pair.alice_sends());
    pair.to_bob(key_chunks[0]);
    CHECK(pair.bob.state_name() == "Ct1Acknowledged");
    CHECK(pair.bob.send(pair.bob_random).message.type == PayloadType::none);
    for (std::size_t i = 1; i < 35; ++i) pair.to_bob(key_chunks[i]);
    CHECK(pair.bob.state_name() == "Ct1Acknowledged");
    pair.to_bob(key_chunks[35]);
    CHECK(pair.bob.state_name() == "Ct2Sampled");
    // EkSentCt1Received: Alice acknowledges without a chunk once ct2 starts.
    pair.to_alice(pair.bob_sends());
    CHECK(pair.alice.state_name() == "EkSentCt1Received");
    CHECK(pair.alice_sends().type == PayloadType::ct1_ack);
}

TEST_CASE("SPQR braid: refusals change nothing", "[spqr][braid]") {
    SECTION("a header whose MAC fails") {
        Pair pair;
        std::vector<Message> header;
        for (int i = 0; i < 3; ++i) header.push_back(pair.alice_sends());
        Braid bob = pair.bob;
        bob = bob.recv(header[0]).next;
        bob = bob.recv(header[1]).next;
        Message bad = header[2];
        bad.chunk.data[31] ^= 1;  // in the MAC
        expect_refused(ErrorCode::invalid_message, [&] { (void)bob.recv(bad); });
        // Nothing was kept of it: the genuine chunk still completes the header.
        CHECK(bob.recv(header[2]).next.state_name() == "HeaderReceived");
        // Another authenticator's header is refused too.
        Braid stranger = Braid::initial(filled_key(9), Direction::b2a);
        stranger = stranger.recv(header[0]).next;
        stranger = stranger.recv(header[1]).next;
        expect_refused(ErrorCode::invalid_message, [&] { (void)stranger.recv(header[2]); });
    }
    SECTION("a key vector that does not match its header") {
        Pair pair;
        for (int i = 0; i < 3; ++i) pair.to_bob(pair.alice_sends());
        pair.to_alice(pair.bob_sends());
        std::vector<Message> key_chunks;
        for (int i = 0; i < 36; ++i) key_chunks.push_back(pair.alice_sends());
        for (std::size_t i = 0; i < 35; ++i) pair.to_bob(key_chunks[i]);
        Message bad = key_chunks[35];
        bad.chunk.data[0] ^= 0x01;
        expect_refused(ErrorCode::invalid_message, [&] { (void)pair.bob.recv(bad); });
        CHECK(pair.bob.state_name() == "Ct1Sampled");
        pair.to_bob(key_chunks[35]);
        CHECK(pair.bob.state_name() == "EkReceivedCt1Sampled");
    }
    SECTION("a ciphertext whose MAC fails") {
        Pair pair;
        for (int i = 0; i < 3; ++i) pair.to_bob(pair.alice_sends());
        for (int i = 0; i < 30; ++i) pair.to_alice(pair.bob_sends());
        for (int i = 0; i < 36; ++i) pair.to_bob(pair.alice_sends());
        std::vector<Message> ct2;
        for (int i = 0; i < 5; ++i) ct2.push_back(pair.bob_sends());
        for (std::size_t i = 0; i < 4; ++i) pair.to_alice(ct2[i]);
        Message bad = ct2[4];
        bad.chunk.data[5] ^= 0x80;
        expect_refused(ErrorCode::invalid_message, [&] { (void)pair.alice.recv(bad); });
        CHECK(pair.alice.state_name() == "EkSentCt1Received");
        CHECK(pair.alice_secrets.empty());
        pair.to_alice(ct2[4]);
        CHECK(pair.alice.state_name() == "NoHeaderReceived");
        CHECK(pair.alice_secrets.at(1) == pair.bob_secrets.at(1));
    }
    SECTION("epochs ahead") {
        Pair pair;
        Message ahead = pair.alice_sends();
        ahead.epoch = 2;
        expect_refused(ErrorCode::invalid_message, [&] { (void)pair.bob.recv(ahead); });
        ahead.epoch = UINT64_MAX;
        expect_refused(ErrorCode::invalid_message, [&] { (void)pair.alice.recv(ahead); });
        // Older epochs are ignored.
        while (pair.alice.epoch() < 3) pair.exchange();
        Message old = pair.alice_sends();
        old.epoch = 1;
        const auto ignored = pair.bob.recv(old);
        CHECK(ignored.next.state_name() == pair.bob.state_name());
        CHECK_FALSE(ignored.secret.has_value());
    }
}

TEST_CASE("SPQR braid: libsignal 0.103's messages drive a cliquet ek sender up to the ciphertext MAC",
          "[spqr][braid]") {
    // Cliquet plays Alice with its own key: libsignal's ct1 and ct2 decode
    // and walk it through every ek-sender state; the ciphertext, made for
    // libsignal's key, then fails the MAC under cliquet's authenticator.
    const auto messages = captured_messages();
    Braid alice = Braid::initial(filled_key(4), Direction::a2b);
    auto random = seeded_random(5);
    std::size_t refusals = 0;
    for (const auto& c : messages) {
        if (c.from == 'a') {
            if (c.message.epoch == 2) break;  // libsignal's Alice had its own epoch-1 secret by then
            auto sent = alice.send(random);
            CHECK(sent.message.type == c.message.type);
            CHECK(sent.message.epoch == c.message.epoch);
            if (carries_chunk(c.message.type)) CHECK(sent.message.chunk.index == c.message.chunk.index);
            alice = sent.next;
        } else {
            try {
                alice = alice.recv(c.message).next;
            } catch (const Error& e) {
                CHECK(e.code() == ErrorCode::invalid_message);
                CHECK(alice.state_name() == "EkSentCt1Received");
                ++refusals;
            }
        }
    }
    // Every ct2 chunk from the fifth on completes ct2 and is refused.
    CHECK(refusals == 6);
    CHECK(alice.state_name() == "EkSentCt1Received");
}

TEST_CASE("SPQR braid: libsignal 0.103's key drives a cliquet ct sender through the epoch", "[spqr][braid]") {
    const auto messages = captured_messages();
    // libsignal's header and vector, from their systematic chunks: the vector
    // belongs to the header under cliquet's ML-KEM-768 split.
    const Bytes header_and_mac =
        systematic(messages, 'a', 1, PayloadType::header, PayloadType::header, kHeaderWithMacSize);
    const Bytes vector =
        systematic(messages, 'a', 1, PayloadType::key, PayloadType::key_and_ct1_ack, mlkem::kVectorSize);
    braid::Header header{};
    std::copy_n(header_and_mac.begin(), header.size(), header.begin());
    CHECK(mlkem::header_matches_vector(header, vector));

    // libsignal's header MAC cannot be checked without its auth key: cliquet
    // refuses it, as it must.
    Braid strict = Braid::initial(filled_key(6), Direction::b2a);
    bool refused = false;
    for (const auto& c : messages) {
        if (c.from != 'a' || c.message.type != PayloadType::header) continue;
        try {
            strict = strict.recv(c.message).next;
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_message);
            refused = true;
            break;
        }
    }
    CHECK(refused);

    // Past the MAC, from the header (as if it had verified): cliquet Bob sends
    // ct1, takes libsignal Alice's vector and acknowledgement, and answers
    // with ct2, then moves to epoch 2 on her epoch-2 message.
    const Authenticator auth(filled_key(6).span(), 1);
    Braid bob(braid::HeaderReceived{1, auth, header, ErasureDecoder(mlkem::kVectorSize)});
    auto random = seeded_random(7);
    for (const auto& c : messages) {
        if (c.from == 'b') {
            if (c.message.epoch == 2) break;
            auto sent = bob.send(random);
            CHECK(sent.message.type == c.message.type);
            CHECK(sent.message.chunk.index == c.message.chunk.index);
            bob = sent.next;
        } else if (c.message.type != PayloadType::header) {
            bob = bob.recv(c.message).next;
        }
    }
    CHECK(bob.state_name() == "KeysUnsampled");
    CHECK(bob.epoch() == 2);
}
