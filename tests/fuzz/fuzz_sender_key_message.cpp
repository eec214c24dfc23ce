// SenderKeyMessage::deserialize: anything accepted keeps its exact bytes and
// is version 3; the signature check runs against an unrelated key without
// crashing and does not verify.
#include <array>
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/sender_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const PublicKey unrelated = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{9});
    try {
        const auto message = SenderKeyMessage::deserialize(ByteView(data, size));
        if (message.serialize() != Bytes(data, data + size)) __builtin_trap();
        if (message.message_version() != kSenderKeyMessageVersion) __builtin_trap();
        if (message.ciphertext().size() >= size) __builtin_trap();
        (void)message.verify_signature(unrelated);
    } catch (const Error&) {
    }
    return 0;
}
