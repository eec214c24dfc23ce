// Sender-key records read back from storage. What parses serializes to
// bytes that parse to the same record, holds at most five chains, and Bob
// can then decrypt Alice's next group message, send with the record as his
// own and describe it, all without crashing (seeds: Bob's real record).
#include <cstddef>
#include <cstdint>

#include "cliquet_testing/deterministic_random.hpp"
#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const fuzzing::GroupWorld* world = new fuzzing::GroupWorld;
    try {
        const SenderKeyRecord record = SenderKeyRecord::deserialize(ByteView(data, size));
        const SecretBytes bytes = record.serialize();
        if (!(SenderKeyRecord::deserialize(bytes.span()).serialize() == bytes)) __builtin_trap();
        if (record.state_count() > kMaxSenderKeyStates || record.chain_ids().size() != record.state_count())
            __builtin_trap();

        MemorySenderKeyStore bob;
        bob.store_sender_key(world->alice_address, world->distribution_id, bytes.span());
        DeterministicRandom random = fuzzing::seeded_random("sender key record");
        try {
            (void)group_decrypt(bob, world->alice_address, world->next);
        } catch (const Error&) {
        }
        try {
            (void)group_encrypt(bob, world->alice_address, world->distribution_id, as_bytes("mine"), random);
        } catch (const Error&) {
        }
        try {
            (void)create_sender_key_distribution_message(bob, world->alice_address, world->distribution_id, random);
        } catch (const Error&) {
        }
    } catch (const Error&) {
    }
    return 0;
}
