// Mutated messages fed into Bob's live sessions. The first byte picks the
// sender (bit 0: Alice, with whom Bob has a ratcheted PQXDH session, or
// Carol, who has started one Bob has not seen) and the type (bit 1: whisper
// or pre-key); the rest is the message. With bit 2 set, the rest is instead
// the recipe of a pre-key envelope forged around one of Alice's genuine
// whisper messages (scenario.hpp's forged_envelope), delivered as a pre-key
// message. Seeds are the messages both really sent and such recipes
// (make_seeds writes them from the same world).
//
// Whatever happens: a refused message leaves Bob's stores byte for byte as
// they were; and afterwards Alice's and Carol's next genuine messages still
// decrypt, and Bob's reply still reaches Alice.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cliquet_testing/deterministic_random.hpp"
#include "scenario.hpp"

namespace {

std::string text_of(const cliquet::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Alice's and Carol's next genuine messages decrypt on `bob`, and his reply
// reaches Alice.
bool session_works(cliquet::fuzzing::SessionWorld& world, cliquet::MemoryProtocolStore& bob,
                   cliquet::RandomSource& random) {
    using namespace cliquet;
    try {
        const auto& a = world.alice_next;
        if (text_of(SessionCipher(bob, world.bob_address, world.alice_address).decrypt(a.type, a.bytes, random)) != "a4") return false;
        const auto& c = world.carol_next;
        if (text_of(SessionCipher(bob, world.bob_address, world.carol_address).decrypt(c.type, c.bytes, random)) != "c2") return false;
        MemoryProtocolStore alice = world.alice;
        const auto reply = SessionCipher(bob, world.bob_address, world.alice_address).encrypt(as_bytes("b2"));
        return text_of(SessionCipher(alice, world.alice_address, world.bob_address).decrypt(reply.type, reply.bytes, random)) == "b2";
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static fuzzing::SessionWorld* world = new fuzzing::SessionWorld;
    static const std::string* untouched = new std::string(store_snapshot(world->bob));
    // The untouched world works; a refusal that leaves Bob's stores equal to
    // it therefore leaves a working session, and only an accepted input
    // needs the (costly) check again.
    static const bool world_works = [] {
        MemoryProtocolStore bob = world->bob;
        DeterministicRandom random = fuzzing::seeded_random("stateful session check");
        return session_works(*world, bob, random);
    }();
    if (!world_works) __builtin_trap();
    if (size == 0) return 0;

    MemoryProtocolStore bob = world->bob;
    DeterministicRandom random = fuzzing::seeded_random("stateful session");
    const ProtocolAddress& sender = data[0] & 1 ? world->carol_address : world->alice_address;
    CiphertextType type = data[0] & 2 ? CiphertextType::pre_key : CiphertextType::whisper;
    Bytes message(data + 1, data + size);
    if (data[0] & 4) {
        auto envelope = fuzzing::forged_envelope(*world, message);
        if (!envelope) return 0;
        type = CiphertextType::pre_key;
        message = std::move(*envelope);
    }
    try {
        (void)SessionCipher(bob, world->bob_address, sender).decrypt(type, message, random);
    } catch (const Error&) {
        if (store_snapshot(bob) != *untouched) __builtin_trap();
        return 0;
    }
    if (!session_works(*world, bob, random)) __builtin_trap();
    return 0;
}
