// The x3dh and pqxdh categories: one handshake from every private input to
// the first message, checked from both ends.
#pragma once

#include "registry.hpp"

namespace cliquet::vectors {

void check_handshake_case(const json& group, const json& test, bool pqxdh);
json generate_handshakes(bool pqxdh);

}  // namespace cliquet::vectors
