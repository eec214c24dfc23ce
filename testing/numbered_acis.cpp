#include "cliquet_testing/numbered_acis.hpp"

#include <cstdint>
#include <stdexcept>

namespace cliquet {

std::vector<ServiceId> numbered_acis(std::size_t count) {
    // n fills the last two bytes; past them the ids would repeat.
    if (count > 0x10000) throw std::invalid_argument("numbered_acis: at most 65536 distinct ids");
    std::vector<ServiceId> out;
    out.reserve(count);
    for (std::size_t n = 0; n < count; ++n) {
        Uuid uuid{0, 0, 0, 0, 0, 0, 0x40, 0, 0x80};
        uuid[14] = static_cast<std::uint8_t>(n >> 8);
        uuid[15] = static_cast<std::uint8_t>(n);
        out.push_back(ServiceId::aci(uuid));
    }
    return out;
}

}  // namespace cliquet
