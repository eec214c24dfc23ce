// Identity key pairs read back from storage.
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto pair = cliquet::IdentityKeyPair::deserialize(cliquet::ByteView(data, size));
        // Whatever was accepted must survive its own serialization.
        const auto again = cliquet::IdentityKeyPair::deserialize(pair.serialize().span());
        if (again.public_key() != pair.public_key()) __builtin_trap();
    } catch (const cliquet::Error&) {
    }
    return 0;
}
