// Registers the kem category, whose check and generator live in kem.cpp.
#include "kem.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

const CategoryRegistration registration{"kem", check_kem_case, generate_kem,
                                        "Kyber1024, ML-KEM-768 and ML-KEM-1024 known answers and refusals"};

}  // namespace
}  // namespace cliquet::vectors
