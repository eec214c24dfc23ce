// SPQR's top level: version negotiation as libsignal's spqr::send/recv do
// it (docs/spqr.md 1.8), and two ratchets reaching the same key for every
// message they deliver to each other, through lost, reordered and
// one-sided traffic, over many braid epochs.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/message.hpp"
#include "protocol/spqr/pq_ratchet.hpp"
#include "spqr_test_helpers.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;
using namespace cliquet::spqr_test;

namespace {

bool same_key(const std::optional<Key32>& a, const std::optional<Key32>& b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
}

// A message in flight and the key its sender used.
struct Flight {
    Bytes message;
    std::optional<Key32> key;
};

// One party: its ratchet, its randomness and what it has sent.
struct Party {
    PqRatchet ratchet;
    DeterministicRandom random;
    std::deque<Flight> outbox;

    void send() {
        auto sent = ratchet.send(random);
        outbox.push_back(Flight{std::move(sent.message), std::move(sent.key)});
    }
    // Delivers `flight` to this party, checking the key matches.
    void deliver(const Flight& flight) {
        auto received = ratchet.recv(flight.message);
        REQUIRE(same_key(received.key, flight.key));
        if (received.key) ++keyed;
        ratchet = std::move(received.next);
    }
    std::size_t keyed = 0;  // messages received with a key
};

Epoch chain_epoch(const PqRatchet& ratchet) { return ratchet.chain() ? ratchet.chain()->current_epoch() : 0; }

}  // namespace

TEST_CASE("SPQR ratchet: version 0 sends nothing and takes anything without a key", "[spqr]") {
    PqRatchet none;
    auto random = seeded_random(1);
    CHECK(none.version() == Version::v0);
    const auto sent = none.send(random);
    CHECK(sent.message.empty());
    CHECK_FALSE(sent.key.has_value());
    const auto received = none.recv({});
    CHECK_FALSE(received.key.has_value());
    CHECK(received.next.version() == Version::v0);

    // A version-1 message to a version-0 state is taken as version 0 (the
    // reference proceeds with its empty state).
    auto alice = PqRatchet::initial(filled_key(2), Direction::a2b, Version::v1);
    const auto from_alice = alice.send(random);
    const auto taken = none.recv(from_alice.message);
    CHECK_FALSE(taken.key.has_value());
    CHECK(taken.next.version() == Version::v0);
}

TEST_CASE("SPQR ratchet: epoch 0 keys agree, index 0 only before a chain exists", "[spqr]") {
    auto random = seeded_random(3);
    auto alice = PqRatchet::initial(filled_key(4), Direction::a2b, Version::v1);
    auto bob = PqRatchet::initial(filled_key(4), Direction::b2a, Version::v1);
    CHECK(alice.version() == Version::v1);
    CHECK(alice.braid()->state_name() == "KeysUnsampled");
    CHECK(bob.braid()->state_name() == "NoHeaderReceived");

    for (std::uint32_t i = 1; i <= 3; ++i) {
        const auto sent = alice.send(random);
        const Message message = decode_message(sent.message);
        CHECK(message.epoch == 1);
        CHECK(message.index == i);
        CHECK(message.type == PayloadType::header);
        CHECK(message.chunk.index == i - 1);
        REQUIRE(sent.key.has_value());
        auto received = bob.recv(sent.message);
        REQUIRE(received.key.has_value());
        CHECK(*received.key == *sent.key);
        bob = std::move(received.next);
    }
    // Three header chunks: Bob holds the header and has checked its MAC.
    CHECK(bob.braid()->state_name() == "HeaderReceived");
    CHECK_FALSE(bob.negotiation().has_value());

    // Bob's first answer encapsulates: epoch 1's secret enters his chain, but
    // the message's key is still from epoch 0 (message epoch 1).
    const auto answer = bob.send(random);
    const Message message = decode_message(answer.message);
    CHECK(message.type == PayloadType::ciphertext1);
    CHECK(message.epoch == 1);
    CHECK(message.index == 1);
    CHECK(bob.chain()->current_epoch() == 1);
    auto received = alice.recv(answer.message);
    REQUIRE(received.key.has_value());
    CHECK(*received.key == *answer.key);
    CHECK(received.next.braid()->state_name() == "HeaderSent");
}

TEST_CASE("SPQR ratchet: with minimum version 0 nothing is keyed until the peer speaks", "[spqr]") {
    auto random = seeded_random(5);
    auto alice = PqRatchet::initial(filled_key(6), Direction::a2b, Version::v0);
    auto bob = PqRatchet::initial(filled_key(6), Direction::b2a, Version::v1);
    const auto first = alice.send(random);
    CHECK_FALSE(first.key.has_value());
    CHECK_FALSE(alice.chain().has_value());
    CHECK(decode_message(first.message).index == 0);
    // Bob takes index 0 of epoch 0 as "no key".
    auto at_bob = bob.recv(first.message);
    CHECK_FALSE(at_bob.key.has_value());
    bob = std::move(at_bob.next);

    const auto reply = bob.send(random);
    REQUIRE(reply.key.has_value());
    auto at_alice = alice.recv(reply.message);
    REQUIRE(at_alice.key.has_value());
    CHECK(*at_alice.key == *reply.key);
    alice = std::move(at_alice.next);
    CHECK_FALSE(alice.negotiation().has_value());
    const auto keyed = alice.send(random);
    CHECK(keyed.key.has_value());
    CHECK(decode_message(keyed.message).index == 1);
}

TEST_CASE("SPQR ratchet: coming down to version 0 only while negotiating and not below the minimum", "[spqr]") {
    auto random = seeded_random(7);
    // libsignal 0.90's choice: a peer without SPQR takes the session to version 0.
    const auto relaxed = PqRatchet::initial(filled_key(8), Direction::b2a, Version::v0);
    const auto down = relaxed.recv({});
    CHECK_FALSE(down.key.has_value());
    CHECK(down.next.version() == Version::v0);

    // libsignal 0.103's: refused.
    const auto strict = PqRatchet::initial(filled_key(8), Direction::b2a, Version::v1);
    expect_refused(ErrorCode::invalid_message, [&] { (void)strict.recv({}); });

    // Once the peer has spoken version 1, version 0 is refused even when allowed at first.
    auto alice = PqRatchet::initial(filled_key(8), Direction::a2b, Version::v1);
    const auto spoken = relaxed.recv(alice.send(random).message);
    CHECK(spoken.next.version() == Version::v1);
    expect_refused(ErrorCode::invalid_message, [&] { (void)spoken.next.recv({}); });
}

TEST_CASE("SPQR ratchet: an unknown higher version is ignored", "[spqr]") {
    auto random = seeded_random(9);
    auto alice = PqRatchet::initial(filled_key(10), Direction::a2b, Version::v1);
    auto bob = PqRatchet::initial(filled_key(10), Direction::b2a, Version::v1);
    Bytes future = alice.send(random).message;
    future[0] = 2;
    const auto received = bob.recv(future);
    CHECK_FALSE(received.key.has_value());
    CHECK(received.next.negotiation().has_value());
    CHECK(received.next.braid()->state_name() == "NoHeaderReceived");
}

TEST_CASE("SPQR ratchet: a repeated message is a duplicate, a malformed one invalid", "[spqr]") {
    auto random = seeded_random(11);
    auto alice = PqRatchet::initial(filled_key(12), Direction::a2b, Version::v1);
    auto bob = PqRatchet::initial(filled_key(12), Direction::b2a, Version::v1);
    const auto sent = alice.send(random);
    bob = bob.recv(sent.message).next;
    expect_refused(ErrorCode::duplicate_message, [&] { (void)bob.recv(sent.message); });
    Bytes truncated = sent.message;
    truncated.resize(truncated.size() - 1);
    expect_refused(ErrorCode::invalid_message, [&] { (void)bob.recv(truncated); });
    // A message of an epoch Bob has not reached.
    Message ahead = decode_message(sent.message);
    ahead.epoch = 3;
    expect_refused(ErrorCode::invalid_message, [&] { (void)bob.recv(encode_message(ahead)); });
}

TEST_CASE("SPQR ratchet: keys agree through loss, reordering and bursts over many epochs", "[spqr]") {
    const auto seed = GENERATE(std::uint8_t{21}, std::uint8_t{22}, std::uint8_t{23});
    Party alice{PqRatchet::initial(filled_key(seed), Direction::a2b, Version::v1), seeded_random(seed), {}};
    Party bob{PqRatchet::initial(filled_key(seed), Direction::b2a, Version::v1), seeded_random(static_cast<std::uint8_t>(seed + 100)), {}};
    std::mt19937 channel(seed);
    auto chance = [&](unsigned percent) { return channel() % 100 < percent; };

    // Delivers one of the first few messages in flight (reordering), or
    // loses it.
    auto carry = [&](Party& from, Party& to) {
        if (from.outbox.empty()) return;
        const std::size_t pick = channel() % std::min<std::size_t>(from.outbox.size(), 3);
        const Flight flight = from.outbox[pick];
        from.outbox.erase(from.outbox.begin() + static_cast<std::ptrdiff_t>(pick));
        if (chance(15)) return;
        to.deliver(flight);
    };

    for (int round = 0; round < 3000; ++round) {
        // Now and then one side talks alone for a while, and its burst is
        // delivered before the other answers.
        const bool burst = chance(2);
        Party& speaker = chance(50) ? alice : bob;
        for (int i = 0; i < (burst ? 40 : 1); ++i) speaker.send();
        if (burst) {
            while (!speaker.outbox.empty()) {
                carry(alice, bob);
                carry(bob, alice);
            }
        }
        carry(alice, bob);
        carry(bob, alice);
    }
    INFO("epochs: alice " << chain_epoch(alice.ratchet) << ", bob " << chain_epoch(bob.ratchet) << ", keyed "
                          << alice.keyed << "/" << bob.keyed);
    CHECK(chain_epoch(alice.ratchet) >= 5);
    CHECK(chain_epoch(bob.ratchet) >= 5);
    CHECK(alice.keyed > 1000);
    CHECK(bob.keyed > 1000);
}
