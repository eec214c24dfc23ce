// cliquet-peer --db FILE: the device and its stores live in a SqliteStore,
// so that a new process on FILE carries on where the last one stopped
// (PEER_PROTOCOL.md, Durability). Without --db both calls do nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cliquet/keys.hpp"
#include "peer.hpp"

namespace cliquet::peer {

// Called by init before it decides anything. When FILE already holds a
// device, checks the request against it (another name, device id or
// identity key is BadRequest) and only then makes it this peer's device,
// stores included; a refused init leaves the peer as it was.
void restore_device(PeerState& state, const std::string& name, std::uint32_t device_id,
                    const std::optional<IdentityKeyPair>& identity);

// Called by init for a device it is about to adopt, before it changes
// anything: creates FILE holding the device and installs its stores.
void create_device_store(PeerState& state, const std::string& name, std::uint32_t device_id,
                         std::uint32_t registration_id, const IdentityKeyPair& identity);

}  // namespace cliquet::peer
