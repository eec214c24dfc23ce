// Server and sender certificates. The first byte picks which (even: server,
// odd: sender); the rest is the certificate. Whatever parses keeps its bytes,
// and validation against the world's trust root runs without crashing. A
// sender certificate that validates must name a device in range.
#include <cstddef>
#include <cstdint>

#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const fuzzing::SealedWorld* world = new fuzzing::SealedWorld;
    if (size == 0) return 0;
    const ByteView input(data + 1, size - 1);
    try {
        if (data[0] % 2 == 0) {
            const auto certificate = ServerCertificate::deserialize(input);
            if (certificate.serialize() != Bytes(input.begin(), input.end())) __builtin_trap();
            (void)certificate.is_valid(world->trust_root.public_key);
        } else {
            const auto certificate = SenderCertificate::deserialize(input);
            if (certificate.serialize() != Bytes(input.begin(), input.end())) __builtin_trap();
            if (certificate.sender_device_id() < 1 || certificate.sender_device_id() > kMaxDeviceId) __builtin_trap();
            (void)certificate.is_valid(world->trust_root.public_key, fuzzing::SealedWorld::kNow);
            try {
                certificate.validate(world->trust_root.public_key, fuzzing::SealedWorld::kNow);
            } catch (const Error& e) {
                if (e.code() != ErrorCode::invalid_certificate) __builtin_trap();
            }
        }
    } catch (const Error&) {
    }
    return 0;
}
