// The sessions layer's part of cliquet-peer: the device's protocol stores,
// shared with every op that needs sessions or identities.
#pragma once

#include "cliquet/address.hpp"
#include "cliquet/store.hpp"
#include "peer.hpp"

namespace cliquet::peer {

// The device's stores; in-memory ones are created on first use unless a
// persistent store was installed in state.store.
ProtocolStore& protocol_store(PeerState& state);

// An address object {"name", "device_id"}; BadRequest if malformed.
ProtocolAddress address_field(const json& request, std::string_view name);

}  // namespace cliquet::peer
