// Ops: retry_request, read_retry_request (peer protocol 1.1): the
// PlaintextContent a device sends back when it cannot decrypt a message, and
// what it says.
#include "cliquet/decryption_error.hpp"
#include "cliquet/error.hpp"
#include "peer.hpp"
#include "session_ops.hpp"

namespace cliquet::peer {
namespace {

// `peer` sent `ciphertext` at `timestamp`; its device id is the one the
// request names, as libsignal's DecryptionErrorMessage::for_original has it.
json retry_request(PeerState&, const json& request) {
    const ProtocolAddress sender = address_field(request, "peer");
    const CiphertextType type = message_type_field(request, "type");
    const Bytes ciphertext = hex_field(request, "ciphertext");
    const Timestamp timestamp = timestamp_field(request, "timestamp");
    const auto message = DecryptionErrorMessage::for_original(ciphertext, type, timestamp, sender.device_id);
    return json{{"content", hex(PlaintextContent(message).serialize())}};
}

json read_retry_request(PeerState&, const json& request) {
    const PlaintextContent content = PlaintextContent::deserialize(hex_field(request, "content"));
    const DecryptionErrorMessage& message = content.decryption_error();
    const auto& ratchet_key = message.ratchet_key();
    return json{{"timestamp", unix_ms(message.timestamp())},
                {"device_id", message.device_id()},
                {"ratchet_key", ratchet_key ? json(hex(ratchet_key->serialize())) : json(nullptr)}};
}

const OpRegistration registrations[] = {
    {"retry_request", retry_request, /*requires_init=*/false},
    {"read_retry_request", read_retry_request, /*requires_init=*/false},
};

}  // namespace
}  // namespace cliquet::peer
