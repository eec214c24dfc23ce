// Category x3dh: X3DH handshakes (session version 3), from every private
// input to the first pre-key message. See handshake_vectors.cpp.
#include "handshake_vectors.hpp"

namespace cliquet::vectors {
namespace {

void check_x3dh_case(const json& group, const json& test) { check_handshake_case(group, test, false); }
json generate_x3dh() { return generate_handshakes(false); }

const CategoryRegistration registration{"x3dh", check_x3dh_case, generate_x3dh,
                                        "X3DH handshakes: private inputs, root and chain keys, first message"};

}  // namespace
}  // namespace cliquet::vectors
