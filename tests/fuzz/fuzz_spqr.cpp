// SPQR state from storage, and SPQR messages (SignalMessage.pq_ratchet)
// against live states. The first byte chooses:
//   even: the rest is a stored PqRatchet record. What parses serializes to
//         exactly those bytes (parse takes only the canonical form), and
//         can send and take a message without crashing.
//   odd:  the rest is a run of messages, each a length byte then its
//         bytes, received in turn by the snapshot (byte >> 1) of
//         spqr_scenario.hpp; the state sends after each. recv must leave
//         the state as it was (it is const; its record must not move), and
//         an accepted message's next state must round-trip through storage.
// Seeds: the snapshots' records, and the messages their peers sent next.
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "spqr_scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    using protocol::spqr::PqRatchet;
    static const auto* snapshots = new std::vector<fuzzing::SpqrSnapshot>(fuzzing::spqr_snapshots());
    if (size == 0) return 0;
    const ByteView input(data + 1, size - 1);
    DeterministicRandom random = fuzzing::spqr_random(3);

    if (data[0] % 2 == 0) {
        try {
            PqRatchet state = PqRatchet::parse(input);
            const SecretBytes again = state.serialize();
            if (!(again == SecretBytes(input))) __builtin_trap();
            (void)state.recv({});
            (void)state.send(random);
        } catch (const Error&) {
        }
        return 0;
    }

    PqRatchet state = (*snapshots)[(data[0] >> 1) % snapshots->size()].state;
    std::size_t at = 0;
    while (at < input.size()) {
        const std::size_t length = std::min<std::size_t>(input[at], input.size() - at - 1);
        const ByteView message = input.subspan(at + 1, length);
        at += 1 + length;
        const SecretBytes before = state.serialize();
        try {
            auto received = state.recv(message);
            const SecretBytes next = received.next.serialize();
            if (!(PqRatchet::parse(next.span()).serialize() == next)) __builtin_trap();
            state = std::move(received.next);
        } catch (const Error& e) {
            if (e.code() != ErrorCode::invalid_message && e.code() != ErrorCode::duplicate_message) __builtin_trap();
            if (!(state.serialize() == before)) __builtin_trap();
        }
        try {
            (void)state.send(random);
        } catch (const Error&) {
        }
    }
    return 0;
}
