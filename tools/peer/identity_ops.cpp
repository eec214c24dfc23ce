// Ops: init, sign, verify, capabilities.
#include <algorithm>

#include "cliquet/error.hpp"
#include "peer.hpp"
#include "storage.hpp"

namespace cliquet::peer {
namespace {

json init(PeerState& state, const json& request) {
    const std::string name = string_field(request, "name");
    const std::uint32_t device_id = u32_field(request, "device_id");
    const std::uint32_t registration_id = u32_field(request, "registration_id");
    const std::optional<Bytes> identity_private = optional_hex_field(request, "identity_private");
    const bool pq_required = request.contains("pq_required") && bool_field(request, "pq_required");

    std::optional<IdentityKeyPair> identity;
    if (identity_private) {
        try {
            identity.emplace(PrivateKey::deserialize(*identity_private));
        } catch (const Error& e) {
            throw Error(ErrorCode::invalid_key, std::string("identity_private: ") + e.what());
        }
    }
    restore_device(state, name, device_id, identity);  // --db FILE holding a device
    if (state.identity) {
        // A device is initialised once; repeating the same init is harmless.
        if (name != state.name || device_id != state.device_id)
            throw BadRequest("this peer is already initialised as another device");
        if (identity && identity->public_key() != state.identity->public_key())
            throw BadRequest("this device already has a different identity key");
    } else {
        IdentityKeyPair chosen = identity ? std::move(*identity) : IdentityKeyPair::generate();
        create_device_store(state, name, device_id, registration_id, chosen);  // --db FILE
        state.name = name;
        state.device_id = device_id;
        state.registration_id = registration_id;
        state.identity = std::move(chosen);
    }
    if (pq_required) state.options.session.pq_ratchet = PqRatchetPolicy::require;
    return json{{"identity_key", hex(state.identity->public_key().serialize())}};
}

json sign(PeerState& state, const json& request) {
    const Bytes message = hex_field(request, "message");
    return json{{"signature", hex(state.require_identity().sign(message))}};
}

json verify(PeerState&, const json& request) {
    const PublicKey key = PublicKey::deserialize(hex_field(request, "public_key"));
    const Bytes message = hex_field(request, "message");
    const Bytes signature = hex_field(request, "signature");
    return json{{"valid", key.verify(message, signature)}};
}

json capabilities(PeerState& state, const json&) {
    json ops = json::array({"quit"});
    for (const auto& [name, info] : op_table()) ops.push_back(name);
    json versions = json::array();
    for (int version : state.session_versions) versions.push_back(version);
    return json{{"ops", ops}, {"session_versions", versions}};
}

const OpRegistration registrations[] = {
    {"init", init, /*requires_init=*/false},
    {"sign", sign},
    {"verify", verify, /*requires_init=*/false},
    {"capabilities", capabilities, /*requires_init=*/false},
};

}  // namespace
}  // namespace cliquet::peer
