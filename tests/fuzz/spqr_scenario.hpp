// The reproducible SPQR conversation fuzz_spqr starts from (and
// cliquet-make-seeds draws its seeds from): two PqRatchets talking in
// lockstep, with snapshots of each at several points of the braid and the
// messages its peer sent next.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/pq_ratchet.hpp"

namespace cliquet::fuzzing {

struct SpqrSnapshot {
    protocol::spqr::PqRatchet state;
    std::vector<Bytes> peer_next;  // the peer's next messages, in order
};

inline DeterministicRandom spqr_random(std::uint8_t label) {
    std::array<std::uint8_t, 32> seed{};
    seed.fill(label);
    return DeterministicRandom(seed);
}

inline std::vector<SpqrSnapshot> spqr_snapshots() {
    using namespace protocol::spqr;
    std::array<std::uint8_t, 32> auth{};
    auth.fill(0x5a);
    const SecretArray<32> auth_key(auth);
    PqRatchet alice = PqRatchet::initial(auth_key, protocol::spqr::Direction::a2b, Version::v1);
    PqRatchet bob = PqRatchet::initial(auth_key, protocol::spqr::Direction::b2a, Version::v1);
    DeterministicRandom alice_random = spqr_random(1), bob_random = spqr_random(2);

    constexpr std::size_t kSteps = 240;
    constexpr std::size_t kNext = 6;
    std::vector<std::pair<bool, Bytes>> sent;  // (from Alice, message)
    std::vector<std::pair<std::size_t, PqRatchet>> alice_at, bob_at;
    for (std::size_t step = 0; step < kSteps; ++step) {
        if (step % 40 == 0 || step == 5) {
            alice_at.emplace_back(sent.size(), alice);
            bob_at.emplace_back(sent.size(), bob);
        }
        const bool from_alice = step % 2 == 0;
        PqRatchet& sender = from_alice ? alice : bob;
        PqRatchet& receiver = from_alice ? bob : alice;
        Bytes message = sender.send(from_alice ? alice_random : bob_random).message;
        receiver = receiver.recv(message).next;
        sent.emplace_back(from_alice, std::move(message));
    }
    std::vector<SpqrSnapshot> out;
    auto collect = [&](const auto& snapshots, bool peer_is_alice) {
        for (const auto& [at, state] : snapshots) {
            SpqrSnapshot snapshot{state, {}};
            for (std::size_t i = at; i < sent.size() && snapshot.peer_next.size() < kNext; ++i) {
                if (sent[i].first == peer_is_alice) snapshot.peer_next.push_back(sent[i].second);
            }
            out.push_back(std::move(snapshot));
        }
    };
    collect(bob_at, true);
    collect(alice_at, false);
    return out;
}

}  // namespace cliquet::fuzzing
