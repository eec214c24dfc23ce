// The plaintext inside a sealed envelope (UnidentifiedSenderMessageContent),
// which a malicious sender controls entirely: what parses keeps its bytes,
// and its certificate validates or is refused without crashing.
#include <cstddef>
#include <cstdint>

#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const fuzzing::SealedWorld* world = new fuzzing::SealedWorld;
    try {
        const auto content = UnidentifiedSenderMessageContent::deserialize(ByteView(data, size));
        if (content.serialize() != Bytes(data, data + size)) __builtin_trap();
        if (content.group_id() && content.group_id()->empty()) __builtin_trap();
        (void)content.sender().is_valid(world->trust_root.public_key, fuzzing::SealedWorld::kNow);
    } catch (const Error&) {
    }
    return 0;
}
