// The server's step of sealed sender version 2: parsing a multi-recipient
// "sent" message and cutting each recipient's "received" message. Every
// recipient has devices, no account is both included and excluded, and
// Bob's cut opens only to content that validates.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    static const fuzzing::SealedWorld* world = new fuzzing::SealedWorld;
    try {
        const auto sent = SealedSenderV2SentMessage::parse(ByteView(data, size));
        for (const auto& recipient : sent.recipients()) {
            if (recipient.devices.empty()) __builtin_trap();
            for (const auto& device : recipient.devices)
                if (device.device_id > kMaxDeviceId || device.registration_id > 0x3fff) __builtin_trap();
            if (std::find(sent.excluded().begin(), sent.excluded().end(), recipient.service_id) != sent.excluded().end())
                __builtin_trap();
            const Bytes received = sent.received_message(recipient);
            if (recipient.service_id != world->bob_id) continue;
            try {
                const auto opened = unseal(received, world->bob, world->trust_root.public_key, fuzzing::SealedWorld::kNow);
                if (!opened.content.sender().is_valid(world->trust_root.public_key, fuzzing::SealedWorld::kNow))
                    __builtin_trap();
            } catch (const Error&) {
            }
        }
    } catch (const Error&) {
    }
    return 0;
}
