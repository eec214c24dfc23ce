// The spqr category's parts: tools/vectors/spqr.cpp registers the category
// and holds the chunk, chain and message groups; spqr_ratchet.cpp the
// transcripts of two PqRatchets.
#pragma once

#include "registry.hpp"

namespace cliquet::vectors::spqr {

// SpqrRatchetTest: one test replayed from its seeds; throws on a mismatch.
void check_ratchet_case(const json& test);
// The SpqrRatchetTest group.
json ratchet_group();

}  // namespace cliquet::vectors::spqr
