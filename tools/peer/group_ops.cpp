// Ops: group_start, group_join, group_encrypt, group_decrypt (sender keys)
// and fingerprint (safety numbers).
#include "cliquet/error.hpp"
#include "cliquet/fingerprint.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/service_id.hpp"
#include "peer.hpp"
#include "session_ops.hpp"

namespace cliquet::peer {
namespace {

// This device's sender keys, its own and its groups' members', kept with
// its other protocol state (and so in the database under --db).
SenderKeyStore& sender_key_store(PeerState& state) { return protocol_store(state).sender_keys(); }

ProtocolAddress self_address(const PeerState& state) { return ProtocolAddress{state.name, state.device_id}; }

DistributionId distribution_id_field(const json& request) {
    const auto uuid = parse_uuid(string_field(request, "distribution_id"));
    if (!uuid) throw BadRequest("field 'distribution_id' is not a UUID");
    return *uuid;
}

json group_start(PeerState& state, const json& request) {
    const DistributionId distribution_id = distribution_id_field(request);
    const auto message = create_sender_key_distribution_message(sender_key_store(state), self_address(state),
                                                                distribution_id);
    return json{{"distribution_message", hex(message.serialize().span())}};
}

json group_join(PeerState& state, const json& request) {
    const ProtocolAddress sender = address_field(request, "sender");
    const Bytes bytes = hex_field(request, "distribution_message");
    const auto message = SenderKeyDistributionMessage::deserialize(bytes);
    process_sender_key_distribution_message(sender_key_store(state), sender, message);
    return json::object();
}

json group_encrypt(PeerState& state, const json& request) {
    const DistributionId distribution_id = distribution_id_field(request);
    const Bytes plaintext = hex_field(request, "plaintext");
    const auto message = cliquet::group_encrypt(sender_key_store(state), self_address(state), distribution_id,
                                                plaintext);
    return json{{"ciphertext", hex(message.serialize())}};
}

json group_decrypt(PeerState& state, const json& request) {
    const ProtocolAddress sender = address_field(request, "sender");
    const Bytes ciphertext = hex_field(request, "ciphertext");
    return json{{"plaintext", hex(cliquet::group_decrypt(sender_key_store(state), sender, ciphertext))}};
}

// `local_id` and `remote_id` are hex like every other byte string of the
// protocol: libsignal takes the stable identifiers as bytes (the UTF-8 of a
// phone number for version 1, the 16 bytes of an ACI for version 2).
json fingerprint(PeerState& state, const json& request) {
    const std::uint32_t iterations = u32_field(request, "iterations");
    const std::uint32_t version = u32_field(request, "version");
    const Bytes local_id = hex_field(request, "local_id");
    const Bytes remote_id = hex_field(request, "remote_id");
    const PublicKey remote_key = PublicKey::deserialize(hex_field(request, "remote_identity_key"));
    const Fingerprint result(version, iterations, local_id, state.require_identity().public_key(), remote_id,
                             remote_key);
    return json{{"displayable", result.displayable()}, {"scannable", hex(result.scannable().serialize())}};
}

const OpRegistration registrations[] = {
    {"group_start", group_start},     {"group_join", group_join},   {"group_encrypt", group_encrypt},
    {"group_decrypt", group_decrypt}, {"fingerprint", fingerprint},
};

}  // namespace
}  // namespace cliquet::peer
