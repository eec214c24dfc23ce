// Retry requests: the same bytes as a DecryptionErrorMessage and as a
// PlaintextContent, which anyone can send unencrypted. What parses keeps its
// bytes and reads back the same once wrapped again; a PlaintextContent
// starts with 0xC0 and ends at the 0x80 boundary; nothing over the size
// limit is read.
#include <cstddef>
#include <cstdint>

#include "cliquet/decryption_error.hpp"
#include "cliquet/error.hpp"

namespace {

using namespace cliquet;

bool same_fields(const DecryptionErrorMessage& a, const DecryptionErrorMessage& b) {
    return a.timestamp() == b.timestamp() && a.device_id() == b.device_id() && a.ratchet_key() == b.ratchet_key();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView bytes(data, size);
    try {
        const auto request = DecryptionErrorMessage::deserialize(bytes);
        if (size > kMaxRetryRequestSize || request.serialize() != Bytes(data, data + size)) __builtin_trap();
        const PlaintextContent wrapped(request);
        if (!same_fields(PlaintextContent::deserialize(wrapped.serialize()).decryption_error(), request)) __builtin_trap();
    } catch (const Error& e) {
        if (e.code() != ErrorCode::invalid_message) __builtin_trap();
    }
    try {
        const auto content = PlaintextContent::deserialize(bytes);
        if (size > kMaxRetryRequestSize || content.serialize() != Bytes(data, data + size)) __builtin_trap();
        if (data[0] != 0xC0 || data[size - 1] != 0x80 || content.body().size() != size - 1) __builtin_trap();
        const DecryptionErrorMessage& request = content.decryption_error();
        if (!same_fields(DecryptionErrorMessage::deserialize(request.serialize()), request)) __builtin_trap();
        // Made again from its fields (for a group message, whose original
        // is not read), a request reads back the same.
        if (!request.ratchet_key()) {
            const auto again = DecryptionErrorMessage::for_original({}, CiphertextType::sender_key, request.timestamp(),
                                                                    request.device_id());
            if (!same_fields(again, request)) __builtin_trap();
        }
    } catch (const Error& e) {
        if (e.code() != ErrorCode::invalid_message) __builtin_trap();
    }
    return 0;
}
