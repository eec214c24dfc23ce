// Mutated sender-key messages fed into Bob's copy of Alice's group chain.
// The first byte picks what the rest is: a group message (even) or a
// distribution message (odd). Seeds are what Alice really sent.
//
// A refused input leaves Bob's sender-key store byte for byte as it was;
// afterwards Alice's next genuine group message still decrypts, unless the
// input was an accepted distribution message that legitimately replaced her
// chain (same chain id, another signing key): then it is refused or reads as
// whatever that chain makes of it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const fuzzing::GroupWorld* world = new fuzzing::GroupWorld;
    static const std::string* untouched = new std::string(store_snapshot(world->bob));
    static const SenderKeyDistributionMessage* original =
        new SenderKeyDistributionMessage(SenderKeyDistributionMessage::deserialize(world->distribution));
    static const bool world_works = [] {
        MemorySenderKeyStore bob = world->bob;
        const Bytes plaintext = group_decrypt(bob, world->alice_address, world->next);
        return std::string(plaintext.begin(), plaintext.end()) == "g4";
    }();
    if (!world_works) __builtin_trap();
    if (size == 0) return 0;

    MemorySenderKeyStore bob = world->bob;
    const ByteView input(data + 1, size - 1);
    bool chain_replaced = false;
    try {
        if (data[0] % 2 == 0) {
            (void)group_decrypt(bob, world->alice_address, input);
        } else {
            const auto message = SenderKeyDistributionMessage::deserialize(input);
            process_sender_key_distribution_message(bob, world->alice_address, message);
            chain_replaced = message.distribution_id() == world->distribution_id &&
                             message.chain_id() == original->chain_id() &&
                             message.signing_key() != original->signing_key();
        }
    } catch (const Error&) {
        // Unchanged, so as able as the world to decrypt what comes next.
        if (store_snapshot(bob) != *untouched) __builtin_trap();
        return 0;
    }

    try {
        const Bytes plaintext = group_decrypt(bob, world->alice_address, world->next);
        // A replaced chain can still verify Alice's signature: its key may
        // differ from hers only in the u-coordinate's top bit, which XEdDSA
        // ignores. Group messages carry no MAC, so under its chain key her
        // message then reads as other bytes whenever the padding holds.
        if (!chain_replaced && std::string(plaintext.begin(), plaintext.end()) != "g4") __builtin_trap();
    } catch (const Error&) {
        if (!chain_replaced) __builtin_trap();  // the chain no longer works
    }
    return 0;
}
