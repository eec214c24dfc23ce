// PqRatchet's record (proto/spqr.proto): every braid state survives a
// round trip and keeps working (two ratchets replaced by their parsed
// copies after every message still agree on every key), and records
// cliquet did not write are refused as Error(storage).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/pq_ratchet.hpp"
#include "spqr.pb.h"
#include "spqr_test_helpers.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;
using namespace cliquet::spqr_test;

namespace {

Bytes bytes_of(const SecretBytes& secret) { return Bytes(secret.span().begin(), secret.span().end()); }

// The ratchet as storage gives it back, checking the record is stable.
PqRatchet through_storage(const PqRatchet& ratchet) {
    const SecretBytes stored = ratchet.serialize();
    PqRatchet parsed = PqRatchet::parse(stored.span());
    REQUIRE(bytes_of(parsed.serialize()) == bytes_of(stored));
    return parsed;
}

bool refused_as_storage(ByteView bytes) {
    try {
        (void)PqRatchet::parse(bytes);
        return false;
    } catch (const Error& e) {
        return e.code() == ErrorCode::storage;
    }
}

struct Flight {
    Bytes message;
    std::optional<Key32> key;
};

// A run of two ratchets through a lossy, reordering channel, each replaced
// by its parsed record after every step.
struct Run {
    PqRatchet alice, bob;
    DeterministicRandom alice_random, bob_random;
    std::deque<Flight> to_bob, to_alice;
    std::set<std::string> states;
    std::vector<Bytes> records;

    explicit Run(std::uint8_t seed)
        : alice(PqRatchet::initial(filled_key(seed), Direction::a2b, Version::v1)),
          bob(PqRatchet::initial(filled_key(seed), Direction::b2a, Version::v1)),
          alice_random(seeded_random(seed)),
          bob_random(seeded_random(static_cast<std::uint8_t>(seed + 1))) {}

    void note(PqRatchet& ratchet) {
        states.insert(std::string(ratchet.braid()->state_name()));
        ratchet = through_storage(ratchet);
        if (records.size() < 400) records.push_back(bytes_of(ratchet.serialize()));
    }
    void send(PqRatchet& from, DeterministicRandom& random, std::deque<Flight>& queue) {
        auto sent = from.send(random);
        queue.push_back(Flight{std::move(sent.message), std::move(sent.key)});
        note(from);
    }
    void carry(std::deque<Flight>& queue, PqRatchet& to, std::mt19937& channel) {
        if (queue.empty()) return;
        const std::size_t pick = channel() % std::min<std::size_t>(queue.size(), 3);
        const Flight flight = queue[pick];
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(pick));
        if (channel() % 100 < 10) return;
        auto received = to.recv(flight.message);
        REQUIRE(received.key.has_value() == flight.key.has_value());
        if (flight.key) REQUIRE(*received.key == *flight.key);
        to = std::move(received.next);
        note(to);
    }
};

}  // namespace

TEST_CASE("SPQR storage: version 0 is the empty record", "[spqr][storage]") {
    CHECK(PqRatchet().serialize().empty());
    CHECK(PqRatchet::parse({}).version() == Version::v0);
    const auto fresh = PqRatchet::initial(filled_key(1), Direction::b2a, Version::v0);
    const PqRatchet parsed = through_storage(fresh);
    CHECK(parsed.version() == Version::v1);
    REQUIRE(parsed.negotiation().has_value());
    CHECK(parsed.negotiation()->min_version == Version::v0);
    CHECK(parsed.negotiation()->direction == Direction::b2a);
    CHECK_FALSE(parsed.chain().has_value());
}

TEST_CASE("SPQR storage: every braid state round-trips and keeps agreeing", "[spqr][storage]") {
    Run run(40);
    std::mt19937 channel(40);
    for (int round = 0; round < 1500; ++round) {
        const bool burst = channel() % 100 < 3;
        const bool alice_speaks = channel() % 2 == 0;
        for (int i = 0; i < (burst ? 40 : 1); ++i) {
            if (alice_speaks) {
                run.send(run.alice, run.alice_random, run.to_bob);
            } else {
                run.send(run.bob, run.bob_random, run.to_alice);
            }
        }
        run.carry(run.to_bob, run.bob, channel);
        run.carry(run.to_alice, run.alice, channel);
    }
    INFO("states seen: " << run.states.size());
    CHECK(run.states.size() == 11);
    CHECK(run.alice.chain()->current_epoch() >= 3);

    // Every strict prefix of a record is refused, and so is any flip that
    // parse does not refuse... never anything but Error(storage).
    for (const Bytes& record : std::vector<Bytes>(run.records.begin(), run.records.begin() + 30)) {
        for (std::size_t cut = 1; cut < record.size(); cut += 7) {
            CHECK(refused_as_storage(ByteView(record).first(cut)));
        }
    }
}

TEST_CASE("SPQR storage: records cliquet did not write are refused", "[spqr][storage]") {
    auto random = seeded_random(50);
    auto alice = PqRatchet::initial(filled_key(51), Direction::a2b, Version::v1);
    alice.send(random);
    const Bytes record = bytes_of(alice.serialize());

    namespace pb = cliquet::proto::spqr;
    auto edited = [&](auto&& edit) {
        pb::PqRatchetRecord parsed;
        REQUIRE(parsed.ParseFromArray(record.data(), static_cast<int>(record.size())));
        edit(parsed);
        const std::string out = parsed.SerializeAsString();
        return Bytes(out.begin(), out.end());
    };
    // The record as written parses.
    CHECK_FALSE(refused_as_storage(edited([](pb::PqRatchetRecord&) {})));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.set_format(2); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.clear_braid(); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->set_state(11); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->set_epoch(0); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->set_epoch(2); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->mutable_key_seed()->pop_back(); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->set_ct1(std::string(960, 'x')); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->clear_encoder(); })));
    CHECK(refused_as_storage(
        edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->mutable_encoder()->mutable_message()->push_back('x'); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_braid()->set_state(5); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.clear_chain(); r.clear_negotiation(); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_negotiation()->set_min_version(2); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_negotiation()->set_direction(1); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_chain()->set_current_epoch(1); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_chain()->mutable_params()->set_max_jump(0); })));
    CHECK(refused_as_storage(edited([](pb::PqRatchetRecord& r) { r.mutable_chain()->mutable_link2(); })));
    CHECK(refused_as_storage(
        edited([](pb::PqRatchetRecord& r) { r.mutable_chain()->mutable_link0()->mutable_recv()->set_skipped(std::string(35, 'k')); })));
    CHECK(refused_as_storage(
        edited([](pb::PqRatchetRecord& r) { r.mutable_chain()->mutable_link0()->mutable_send()->set_skipped(std::string(36, 0)); })));
    CHECK(refused_as_storage(
        edited([](pb::PqRatchetRecord& r) { r.mutable_chain()->mutable_link0()->mutable_recv()->set_next("short"); })));
    // An unknown field (number 99, varint) is something parse does not understand.
    Bytes unknown = record;
    unknown.push_back(0x98);
    unknown.push_back(0x06);
    unknown.push_back(0x01);
    CHECK(refused_as_storage(unknown));

    // Garbage: never anything but Error(storage) (or, rarely, a valid record).
    std::mt19937 noise(52);
    for (int i = 0; i < 2000; ++i) {
        Bytes bytes(noise() % 300);
        for (auto& b : bytes) b = static_cast<std::uint8_t>(noise());
        try {
            (void)PqRatchet::parse(bytes);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::storage);
        }
        Bytes flipped = record;
        flipped[noise() % flipped.size()] ^= static_cast<std::uint8_t>(1u << (noise() % 8));
        try {
            (void)PqRatchet::parse(flipped);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::storage);
        }
    }
}
