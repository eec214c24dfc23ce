// test_vectors/kem.json: known answers for Kyber1024, ML-KEM-768 and
// ML-KEM-1024, generated from fixed seeds, and the check of one case.
#pragma once

#include <nlohmann/json.hpp>

namespace cliquet::vectors {

// The whole file's JSON, byte-identical on every run.
nlohmann::json generate_kem();

// Checks one test of one group. Returns when the case behaves as its
// "result" says (a "valid" case reproduces every given value; an "invalid"
// one is refused with the error its flags name); throws std::runtime_error
// describing the first difference otherwise.
void check_kem_case(const nlohmann::json& group, const nlohmann::json& test);

}  // namespace cliquet::vectors
