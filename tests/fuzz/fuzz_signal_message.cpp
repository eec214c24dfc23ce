// SignalMessage::deserialize: anything accepted keeps its exact bytes, is of
// version 3 or 4, and its MAC check runs without crashing. A MAC under a
// fixed key must not verify unless the input was made under that key.
// deserialize reads the usual body by hand (protocol/wire/signal_message_body.hpp)
// and everything else through protobuf: it must accept exactly what a
// protobuf parse of the body with the same checks accepts, with the same
// values, and whatever the hand-written reader takes, protobuf takes alike.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "cliquet/error.hpp"
#include "cliquet/messages.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/wire/signal_message_body.hpp"
#include "wire.pb.h"

namespace {

using namespace cliquet;

bool same(ByteView a, const std::string& b) { return Bytes(a.begin(), a.end()) == Bytes(b.begin(), b.end()); }

// The body through protobuf, with deserialize's checks on it (version and
// sizes are checked before either reader runs), or nullopt if refused.
std::optional<proto::wire::SignalMessage> protobuf_body(ByteView bytes) {
    if (bytes.empty() || (bytes[0] >> 4) < 3 || (bytes[0] >> 4) > 4) return std::nullopt;
    if (bytes.size() < 1 + kMessageMacSize || bytes.size() > (1u << 22)) return std::nullopt;
    const ByteView body_bytes = bytes.subspan(1, bytes.size() - 1 - kMessageMacSize);
    proto::wire::SignalMessage body;
    if (!body.ParseFromArray(body_bytes.data(), static_cast<int>(body_bytes.size()))) return std::nullopt;
    // What protobuf-lite lets through and libsignal's parser refuses.
    if (!protocol::walk_raw_fields(body_bytes, [](std::uint32_t, unsigned, ByteView) {})) return std::nullopt;
    if (protocol::has_misencoded_field(body)) return std::nullopt;
    if (!body.has_ratchet_key() || !body.has_counter() || !body.has_ciphertext()) return std::nullopt;
    try {
        (void)PublicKey::deserialize(as_bytes(body.ratchet_key()));
    } catch (const Error&) {
        return std::nullopt;
    }
    return body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const IdentityKey sender = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{9});
    static const IdentityKey receiver = PublicKey::from_montgomery(std::array<std::uint8_t, 32>{5});
    const ByteView bytes(data, size);
    const auto reference = protobuf_body(bytes);
    if (size >= 1 + kMessageMacSize) {
        const ByteView body_bytes = bytes.subspan(1, size - 1 - kMessageMacSize);
        if (const auto body = protocol::read_canonical_signal_message_body(body_bytes)) {
            proto::wire::SignalMessage parsed;
            if (!parsed.ParseFromArray(body_bytes.data(), static_cast<int>(body_bytes.size()))) __builtin_trap();
            if (!parsed.has_ratchet_key() || !parsed.has_counter() || !parsed.has_ciphertext()) __builtin_trap();
            if (parsed.has_addresses()) __builtin_trap();
            if (!same(body->ratchet_key, parsed.ratchet_key()) || body->counter != parsed.counter() ||
                body->previous_counter != parsed.previous_counter() || !same(body->ciphertext, parsed.ciphertext()) ||
                !same(body->pq_ratchet, parsed.pq_ratchet()))
                __builtin_trap();
        }
    }
    try {
        const auto message = SignalMessage::deserialize(bytes);
        if (!reference) __builtin_trap();
        if (message.serialize() != Bytes(data, data + size)) __builtin_trap();
        if (message.message_version() != 3 && message.message_version() != 4) __builtin_trap();
        if (message.sender_ratchet_key().serialize() !=
                Bytes(reference->ratchet_key().begin(), reference->ratchet_key().end()) ||
            message.counter() != reference->counter() || message.previous_counter() != reference->previous_counter() ||
            !same(message.ciphertext(), reference->ciphertext()) || !same(message.pq_ratchet(), reference->pq_ratchet()))
            __builtin_trap();
        const std::array<std::uint8_t, 32> mac_key{};
        (void)message.verify_mac(sender, receiver, mac_key);
    } catch (const Error&) {
        if (reference) __builtin_trap();
    }
    return 0;
}
