// cliquet-peer's KEM test hooks (PEER_PROTOCOL.md, "KEM test hooks"):
// deterministic keygen, encapsulation and decapsulation on raw keys and
// ciphertexts, for harnesses that hold the KEMs against other
// implementations. Each takes the request and returns the results object;
// failures are cliquet::Error, malformed fields BadRequest.
#pragma once

#include <nlohmann/json.hpp>

namespace cliquet::peer {

nlohmann::json kem_keygen(const nlohmann::json& request);
nlohmann::json kem_encapsulate(const nlohmann::json& request);
nlohmann::json kem_decapsulate(const nlohmann::json& request);

}  // namespace cliquet::peer
