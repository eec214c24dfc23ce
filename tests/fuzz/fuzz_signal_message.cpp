// SignalMessage::deserialize: anything accepted keeps its exact bytes, is of
// version 3 or 4, and its MAC check runs without crashing. A MAC under a
// fixed key must not verify unless the input was made under that key.
#include <array>
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const IdentityKey sender = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{9});
    static const IdentityKey receiver = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{5});
    try {
        const auto message = SignalMessage::deserialize(ByteView(data, size));
        if (message.serialize() != Bytes(data, data + size)) __builtin_trap();
        if (message.message_version() != 3 && message.message_version() != 4) __builtin_trap();
        const std::array<std::uint8_t, 32> mac_key{};
        (void)message.verify_mac(sender, receiver, mac_key);
    } catch (const Error&) {
    }
    return 0;
}
