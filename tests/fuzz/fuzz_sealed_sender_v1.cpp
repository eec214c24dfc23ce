// Opening a sealed-sender version 1 envelope addressed to Bob (seeds: real
// envelopes; the version byte also routes to the version 2 reader). What
// opens must carry a certificate that validates and content that reparses
// to the same bytes.
#include <cstddef>
#include <cstdint>

#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const fuzzing::SealedWorld* world = new fuzzing::SealedWorld;
    try {
        const UnsealedContent opened =
            unseal(ByteView(data, size), world->bob, world->trust_root.public_key, fuzzing::SealedWorld::kNow);
        if (opened.version != 1 && opened.version != 2) __builtin_trap();
        if (!opened.content.sender().is_valid(world->trust_root.public_key, fuzzing::SealedWorld::kNow))
            __builtin_trap();
        const auto reparsed = UnidentifiedSenderMessageContent::deserialize(opened.content.serialize());
        if (reparsed.serialize() != opened.content.serialize()) __builtin_trap();
    } catch (const Error&) {
    }
    return 0;
}
