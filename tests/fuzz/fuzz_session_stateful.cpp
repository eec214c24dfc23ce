// Mutated messages fed into Bob's live sessions. The first byte picks the
// sender (bit 0: Alice, with whom Bob has a ratcheted PQXDH session, or
// Carol, who has started one Bob has not seen) and the type (bit 1: whisper
// or pre-key); the rest is the message. Seeds are the messages both really
// sent (make_seeds writes them from the same world).
//
// Whatever happens: a refused message leaves Bob's stores byte for byte as
// they were; and afterwards Alice's and Carol's next genuine messages still
// decrypt, and Bob's reply still reaches Alice.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario.hpp"

namespace {

std::string text_of(const cliquet::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static fuzzing::SessionWorld* world = new fuzzing::SessionWorld;
    static const std::string* untouched = new std::string(fuzzing::snapshot(world->bob));
    if (size == 0) return 0;

    MemoryProtocolStore bob = world->bob;
    DeterministicRandom random = fuzzing::seeded_random("stateful session");
    const ProtocolAddress& sender = data[0] & 1 ? world->carol_address : world->alice_address;
    const CiphertextType type = data[0] & 2 ? CiphertextType::prekey : CiphertextType::whisper;
    try {
        (void)SessionCipher(bob, sender).decrypt(type, ByteView(data + 1, size - 1), random);
    } catch (const Error&) {
        if (fuzzing::snapshot(bob) != *untouched) __builtin_trap();
    }

    try {
        const auto& a = world->alice_next;
        if (text_of(SessionCipher(bob, world->alice_address).decrypt(a.type, a.bytes, random)) != "a4") __builtin_trap();
        const auto& c = world->carol_next;
        if (text_of(SessionCipher(bob, world->carol_address).decrypt(c.type, c.bytes, random)) != "c2") __builtin_trap();
        MemoryProtocolStore alice = world->alice;
        const auto reply = SessionCipher(bob, world->alice_address).encrypt(as_bytes("b2"));
        if (text_of(SessionCipher(alice, world->bob_address).decrypt(reply.type, reply.bytes, random)) != "b2")
            __builtin_trap();
    } catch (const Error&) {
        __builtin_trap();  // the session no longer works
    }
    return 0;
}
