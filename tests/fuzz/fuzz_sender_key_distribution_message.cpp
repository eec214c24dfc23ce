// SenderKeyDistributionMessage::deserialize: anything accepted keeps its
// exact bytes, and rebuilding it from its fields gives a message that
// parses back to the same fields.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/sender_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    try {
        const auto message = SenderKeyDistributionMessage::deserialize(ByteView(data, size));
        const SecretBytes& bytes = message.serialize();
        if (bytes.size() != size || !std::equal(bytes.data(), bytes.data() + size, data)) __builtin_trap();
        const SenderKeyDistributionMessage rebuilt(message.distribution_id(), message.chain_id(), message.iteration(),
                                                   message.chain_key(), message.signing_key());
        const auto reparsed = SenderKeyDistributionMessage::deserialize(rebuilt.serialize().span());
        if (reparsed.chain_id() != message.chain_id() || reparsed.iteration() != message.iteration() ||
            reparsed.distribution_id() != message.distribution_id() || !(reparsed.chain_key() == message.chain_key()) ||
            reparsed.signing_key() != message.signing_key())
            __builtin_trap();
    } catch (const Error&) {
    }
    return 0;
}
