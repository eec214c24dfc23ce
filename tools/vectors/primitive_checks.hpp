// The checks of one case of the symmetric primitives, shared by cliquet's own
// categories and Project Wycheproof's files (wycheproof.cpp), which give the
// same fields. Each runs after its caller has checked the group.
#pragma once

#include "registry.hpp"

namespace cliquet::vectors {

// key, iv (12 bytes), aad, msg, ct, tag: AES-256-GCM-SIV both ways, or a
// refused decryption (invalid_message).
void check_gcm_siv_vector(const json& test);
// key, iv, msg, ct: AES-256-CBC with PKCS#7 padding (or none) both ways, or a
// refused decryption (invalid_message).
void check_cbc_vector(const json& test, bool padded);
// ikm, salt, info, size, okm: HKDF-SHA256, or a refusal of the size
// (invalid_argument).
void check_hkdf_vector(const json& test);

}  // namespace cliquet::vectors
