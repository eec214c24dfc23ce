// Allocation failures in sealing one message for every device of two
// accounts (MultiDeviceSender::seal): every allocation of the call fails in
// turn, on a store that cannot roll back. Each failure must be reported,
// leave the sender's store as it was, and let the same call succeed next, its
// envelopes and the next ones opening at every device.
#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "alloc_sweep.hpp"
#include "cliquet/cliquet.hpp"
#include "cliquet/multi_device_sender.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "failing_new.hpp"
#include "forwarding_store.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::alloc;

namespace {

constexpr std::array<std::uint8_t, 32> kSeed = {5, 5, 5};

// Alice's first device sends to Bob's two devices and to her own second one,
// with a session to each (its first message still a pre-key message, or
// answered already).
struct Fanout {
    CertificateServer server;
    Device alice1{"9d0652a3-dcc3-4d11-975f-74d61598733f", 101};
    Device alice2 = linked_device(alice1, 2, 102);
    Device bob1{"e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b", 201};
    Device bob2 = linked_device(bob1, 2, 202);
    std::vector<AccountDevices> to{{bob1.address.name, {1, 2}}, {alice1.address.name, {1, 2}}};

    explicit Fanout(bool answered) {
        std::uint32_t id = 10;
        for (Device* device : receivers()) {
            alice1.start_session(device->address, device->bundle(id, id, id));
            ++id;
            if (!answered) continue;
            CHECK(device->decrypt_from(alice1, alice1.encrypt_to(*device, "hello")) == "hello");
            CHECK(alice1.decrypt_from(*device, device->encrypt_to(alice1, "hi")) == "hi");
        }
    }

    std::vector<Device*> receivers() { return {&bob1, &bob2, &alice2}; }
};

const DeviceMessage& message_for(const MultiDeviceMessage& out, const ProtocolAddress& address) {
    for (const DeviceMessage& message : out.messages)
        if (message.address == address) return message;
    throw std::logic_error("no message for " + address.to_string());
}

// `device` opens its envelope of `out` on `store`, its own.
std::string open_at(Fanout& fanout, Device& device, MemoryProtocolStore& store, const MultiDeviceMessage& out) {
    const SealedSenderDecryptionResult result =
        sealed_sender_decrypt(store, message_for(out, device.address).bytes, fanout.server.trust_root.public_key,
                              kSealedNow, sealed_recipient(device), system_random(), device.options);
    CHECK(result.sender() == fanout.alice1.address);
    return text_of(result.plaintext);
}

}  // namespace

TEST_CASE("an allocation failure anywhere in sealing for every device changes nothing", "[alloc][multi_device]") {
    const bool answered = GENERATE(false, true);
    Fanout fanout(answered);
    const SenderCertificate certificate = fanout.server.issue(fanout.alice1);

    const std::string name =
        std::string("multi-device seal to 3 devices, ") + (answered ? "whisper messages" : "pre-key messages");
    sweep_allocations(name, [&](std::size_t n) {
        // Alice's stores as a store that cannot roll back sees them: a failed
        // call that leaves them as they were wrote nothing before it failed.
        MemoryProtocolStore alice = *fanout.alice1.store;
        ForwardingStore store(alice);
        MultiDeviceSender sender(store, fanout.alice1.address);
        const std::string before = store_snapshot(alice);
        DeterministicRandom random(kSeed);
        std::optional<MultiDeviceMessage> out;
        const auto seal = [&](std::string_view text, RandomSource& source) {
            return sender.seal(fanout.to, certificate, as_bytes(text), ContentHint::none, std::nullopt, source);
        };
        const Outcome outcome = call_failing_at(n, [&] { out = seal("swept", random); });
        if (outcome.failed()) {
            CHECK(store_snapshot(alice) == before);
            DeterministicRandom again(kSeed);
            out = seal("swept", again);
        }
        REQUIRE(out);
        CHECK(out->failures.empty());
        CHECK(out->missing_sessions.empty());
        REQUIRE(out->messages.size() == 3);
        // Every device opens its envelope, on a copy of its store; then
        // Alice's next message, on the sessions the call left, opens too.
        const MultiDeviceMessage next = seal("next", system_random());
        REQUIRE(next.messages.size() == 3);
        for (Device* device : fanout.receivers()) {
            MemoryProtocolStore own = *device->store;
            CHECK(open_at(fanout, *device, own, *out) == "swept");
            CHECK(open_at(fanout, *device, own, next) == "next");
        }
        return outcome;
    });
}
