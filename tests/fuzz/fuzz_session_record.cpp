// Session records read back from storage (a corrupted or hostile database
// row). What parses serializes to bytes that parse to the same record, and
// Bob can then encrypt with it and try Alice's next message without
// crashing (seeds: Bob's real records).
#include <cstddef>
#include <cstdint>

#include "cliquet_testing/deterministic_random.hpp"
#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static fuzzing::SessionWorld* world = new fuzzing::SessionWorld;
    try {
        const SessionRecord record = SessionRecord::deserialize(ByteView(data, size));
        const SecretBytes bytes = record.serialize();
        if (!(SessionRecord::deserialize(bytes.span()).serialize() == bytes)) __builtin_trap();
        // A state without a sender chain still has a version; one that can
        // encrypt always does.
        if (record.has_current_state() && !record.session_version()) __builtin_trap();

        MemoryProtocolStore bob(world->bob.identities().identity_key_pair(), 2);
        bob.sessions().store_session(world->alice_address, record);
        DeterministicRandom random = fuzzing::seeded_random("session record");
        try {
            (void)SessionCipher(bob, world->bob_address, world->alice_address).encrypt(as_bytes("reply"));
        } catch (const Error&) {
        }
        try {
            (void)SessionCipher(bob, world->bob_address, world->alice_address)
                .decrypt(world->alice_next.type, world->alice_next.bytes, random);
        } catch (const Error&) {
        }
    } catch (const Error&) {
    }
    return 0;
}
