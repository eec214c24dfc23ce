// Category pqxdh: PQXDH handshakes (session version 4, Kyber1024), from
// every private input to the first pre-key message. See handshake_vectors.cpp.
#include "handshake_vectors.hpp"

namespace cliquet::vectors {
namespace {

void check_pqxdh_case(const json& group, const json& test) { check_handshake_case(group, test, true); }
json generate_pqxdh() { return generate_handshakes(true); }

const CategoryRegistration registration{"pqxdh", check_pqxdh_case, generate_pqxdh,
                                        "PQXDH handshakes: private inputs, Kyber1024, root and chain keys, first message"};

}  // namespace
}  // namespace cliquet::vectors
