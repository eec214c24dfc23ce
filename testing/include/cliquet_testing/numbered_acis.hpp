// Service ids for tests and vectors that need many distinct recipients.
#pragma once

#include <cstddef>
#include <vector>

#include "cliquet/service_id.hpp"

namespace cliquet {

// The ACIs 00000000-0000-4000-8000-00000000nnnn for n below `count`:
// distinct, and drawn from no randomness, so that adding them to a transcript
// shifts nothing else in it. More than 65536 is std::invalid_argument.
std::vector<ServiceId> numbered_acis(std::size_t count);

}  // namespace cliquet
