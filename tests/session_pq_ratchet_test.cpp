// Version-4 sessions run the post-quantum ratchet (SPQR) inside the Double
// Ratchet: the SPQR message rides in each SignalMessage, its key salts the
// message keys, and the policy decides what a peer without SPQR gets.
#include <algorithm>

#include <catch2/catch.hpp>

#include "protocol/ratchet/session_state.hpp"
#include "storage.pb.h"
#include "protocol/spqr/message.hpp"
#include "session_helpers.hpp"

namespace cliquet::testing {
namespace {

namespace spqr = protocol::spqr;

struct Pair {
    Device alice{"alice", 1};
    Device bob{"bob", 2};
    SessionOptions alice_options;
    SessionOptions bob_options;

    Pair(PqRatchetPolicy alice_policy, PqRatchetPolicy bob_policy) {
        alice_options.pq_ratchet = alice_policy;
        bob_options.pq_ratchet = bob_policy;
        process_pre_key_bundle(*alice.store, bob.address, bob.bundle(1, 1, 1), system_random(), alice_options);
    }

    CiphertextMessage send(bool from_alice, std::string_view text) {
        Device& from = from_alice ? alice : bob;
        const Device& to = from_alice ? bob : alice;
        return SessionCipher(*from.store, from.address, to.address, from_alice ? alice_options : bob_options).encrypt(as_bytes(text));
    }
    std::string receive(bool by_alice, const CiphertextMessage& message) {
        Device& by = by_alice ? alice : bob;
        const Device& from = by_alice ? bob : alice;
        const Bytes plaintext = SessionCipher(*by.store, by.address, from.address, by_alice ? alice_options : bob_options)
                                    .decrypt(message.type, message.bytes);
        return std::string(plaintext.begin(), plaintext.end());
    }
};

SignalMessage signal_message_of(const CiphertextMessage& message) {
    if (message.type == CiphertextType::pre_key) return PreKeySignalMessage::deserialize(message.bytes).message();
    return SignalMessage::deserialize(message.bytes);
}

// What SPQR state `device` holds with `peer`.
spqr::PqRatchet pq_ratchet_with(Device& device, const Device& peer) {
    return device.store->sessions().load_session(peer.address)->data().current->pq_ratchet();
}

// Turns SPQR off in `device`'s current session with `peer`, as a libsignal
// release before SPQR would run it: its messages then carry none.
void drop_pq_ratchet(Device& device, const Device& peer) {
    SessionRecord record = *device.store->sessions().load_session(peer.address);
    protocol::SessionState state = *record.data().current;
    state.set_pq_ratchet(spqr::PqRatchet());
    record.data().current = std::make_shared<const protocol::SessionState>(std::move(state));
    device.store->sessions().store_session(peer.address, std::move(record));
}

}  // namespace

TEST_CASE("version-4 sessions run SPQR through several epochs, every message key salted once both have spoken",
          "[session][pq_ratchet]") {
    Pair pair(PqRatchetPolicy::offer, PqRatchetPolicy::offer);
    const auto first = pair.send(true, "hello");
    // Offered, but unsalted until Bob has shown he speaks SPQR.
    const spqr::Message offered = spqr::decode_message(signal_message_of(first).pq_ratchet());
    CHECK(offered.epoch == 1);
    CHECK(offered.index == 0);
    CHECK(pair.receive(false, first) == "hello");

    std::uint64_t epochs[2] = {0, 0};
    for (int round = 0; round < 200; ++round) {
        for (const bool from_alice : {false, true}) {
            const std::string text = "round " + std::to_string(round);
            const auto message = pair.send(from_alice, text);
            const spqr::Message pq = spqr::decode_message(signal_message_of(message).pq_ratchet());
            REQUIRE(pq.index != 0);
            REQUIRE(pq.epoch >= epochs[from_alice]);
            epochs[from_alice] = pq.epoch;
            REQUIRE(pair.receive(!from_alice, message) == text);
        }
    }
    CHECK(epochs[0] >= 3);
    CHECK(epochs[1] >= 3);
    CHECK(pq_ratchet_with(pair.alice, pair.bob).version() == spqr::Version::v1);
    CHECK(pq_ratchet_with(pair.bob, pair.alice).version() == spqr::Version::v1);
}

TEST_CASE("SPQR with the requiring policy salts keys from the first message", "[session][pq_ratchet]") {
    Pair pair(PqRatchetPolicy::require, PqRatchetPolicy::offer);
    const auto first = pair.send(true, "hello");
    CHECK(spqr::decode_message(signal_message_of(first).pq_ratchet()).index == 1);
    CHECK(pair.receive(false, first) == "hello");
    CHECK(pair.receive(true, pair.send(false, "hi")) == "hi");
}

TEST_CASE("once SPQR has heard from the peer, a message without it is refused and changes nothing",
          "[session][pq_ratchet]") {
    Pair pair(PqRatchetPolicy::offer, PqRatchetPolicy::offer);
    CHECK(pair.receive(false, pair.send(true, "hello")) == "hello");
    CHECK(pair.receive(true, pair.send(false, "hi")) == "hi");
    drop_pq_ratchet(pair.alice, pair.bob);
    const auto plain = pair.send(true, "no SPQR");
    REQUIRE(signal_message_of(plain).pq_ratchet().empty());
    const std::string before = pair.bob.snapshot();
    CHECK(error_of([&] { pair.receive(false, plain); }) == ErrorCode::invalid_message);
    CHECK(pair.bob.snapshot() == before);
}

TEST_CASE("a peer whose first message carries no SPQR settles an offering session on the Double Ratchet",
          "[session][pq_ratchet]") {
    Pair pair(PqRatchetPolicy::offer, PqRatchetPolicy::offer);
    drop_pq_ratchet(pair.alice, pair.bob);
    const auto first = pair.send(true, "hello");
    REQUIRE(signal_message_of(first).pq_ratchet().empty());
    CHECK(pair.receive(false, first) == "hello");
    CHECK(pq_ratchet_with(pair.bob, pair.alice).version() == spqr::Version::v0);
    for (int round = 0; round < 3; ++round) {
        const auto reply = pair.send(false, "reply");
        CHECK(signal_message_of(reply).pq_ratchet().empty());
        CHECK(pair.receive(true, reply) == "reply");
        CHECK(pair.receive(false, pair.send(true, "again")) == "again");
    }

    SECTION("the requiring policy refuses that first message, changing nothing") {
        Pair strict(PqRatchetPolicy::offer, PqRatchetPolicy::require);
        drop_pq_ratchet(strict.alice, strict.bob);
        const auto unsalted = strict.send(true, "hello");
        const std::string before = strict.bob.snapshot();
        CHECK(error_of([&] { strict.receive(false, unsalted); }) == ErrorCode::invalid_message);
        CHECK(strict.bob.snapshot() == before);
    }
}

TEST_CASE("a late message mixes its SPQR key into its stored seed, a stored derived key cannot take one",
          "[session][pq_ratchet]") {
    Pair pair(PqRatchetPolicy::require, PqRatchetPolicy::require);
    CHECK(pair.receive(false, pair.send(true, "hello")) == "hello");
    CHECK(pair.receive(true, pair.send(false, "hi")) == "hi");
    const auto late = pair.send(true, "late");
    const auto later = pair.send(true, "later");
    const auto last = pair.send(true, "last");
    CHECK(pair.receive(false, last) == "last");
    CHECK(pair.receive(false, late) == "late");

    // Replace the skipped seed of `later` by the keys derived from it without
    // salt, as a record from before SPQR would hold them.
    SessionRecord record = *pair.bob.store->sessions().load_session(pair.alice.address);
    const protocol::SessionState& state = *record.data().current;
    const SignalMessage later_message = signal_message_of(later);
    const auto source = state.skipped_keys(later_message.sender_ratchet_key(), later_message.counter());
    REQUIRE(source);
    const protocol::MessageKeys unsalted = source->keys(std::nullopt);
    const SecretBytes serialized = state.serialize();
    proto::storage::SessionStructure structure;
    REQUIRE(structure.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())));
    bool replaced = false;
    for (auto& chain : *structure.mutable_receiver_chains())
        for (auto& key : *chain.mutable_message_keys())
            if (key.index() == later_message.counter()) {
                key.clear_seed();
                key.set_cipher_key(reinterpret_cast<const char*>(unsalted.cipher_key.data()), 32);
                key.set_mac_key(reinterpret_cast<const char*>(unsalted.mac_key.data()), 32);
                key.set_iv(reinterpret_cast<const char*>(unsalted.iv.data()), 16);
                replaced = true;
            }
    REQUIRE(replaced);
    record.data().current = std::make_shared<const protocol::SessionState>(protocol::SessionState::from_proto(structure));
    pair.bob.store->sessions().store_session(pair.alice.address, std::move(record));

    const std::string before = pair.bob.snapshot();
    CHECK(error_of([&] { pair.receive(false, later); }) == ErrorCode::invalid_message);
    CHECK(pair.bob.snapshot() == before);
}

TEST_CASE("a damaged SPQR message is refused and changes nothing, the genuine one decrypts after",
          "[session][pq_ratchet]") {
    Pair pair(PqRatchetPolicy::offer, PqRatchetPolicy::offer);
    CHECK(pair.receive(false, pair.send(true, "hello")) == "hello");
    CHECK(pair.receive(true, pair.send(false, "hi")) == "hi");
    const auto genuine = pair.send(true, "genuine");
    const SignalMessage parsed = signal_message_of(genuine);
    const Bytes& pq = parsed.pq_ratchet();
    REQUIRE(!pq.empty());
    // Locate the SPQR bytes in the serialized message and damage each in turn.
    const Bytes& bytes = genuine.bytes;
    const auto at = std::search(bytes.begin(), bytes.end(), pq.begin(), pq.end());
    REQUIRE(at != bytes.end());
    const std::size_t offset = static_cast<std::size_t>(at - bytes.begin());
    const std::string before = pair.bob.snapshot();
    for (std::size_t i = 0; i < pq.size(); ++i) {
        CiphertextMessage damaged = genuine;
        damaged.bytes[offset + i] ^= 0x01;
        CHECK(error_of([&] { pair.receive(false, damaged); }) == ErrorCode::invalid_message);
    }
    CHECK(pair.bob.snapshot() == before);
    CHECK(pair.receive(false, genuine) == "genuine");
    CHECK(error_of([&] { pair.receive(false, genuine); }) == ErrorCode::duplicate_message);
}

}  // namespace cliquet::testing
