// PreKeySignalMessage::deserialize: anything accepted keeps its exact bytes,
// embeds a message of its own version, and carries Kyber fields exactly
// when it is version 4.
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    try {
        const auto message = PreKeySignalMessage::deserialize(ByteView(data, size));
        if (message.serialize() != Bytes(data, data + size)) __builtin_trap();
        if (message.message().message_version() != message.message_version()) __builtin_trap();
        if ((message.message_version() == 4) != message.kyber().has_value()) __builtin_trap();
        // The embedded message reparses on its own.
        (void)SignalMessage::deserialize(message.message().serialize());
    } catch (const Error&) {
    }
    return 0;
}
