// Curve25519 public keys: deserialize, and when accepted, round-trip and
// verify a signature over the input without crashing.
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const cliquet::ByteView input(data, size);
    try {
        const auto key = cliquet::PublicKey::deserialize(input.first(size < 33 ? size : 33));
        if (key.serialize() != cliquet::Bytes(data, data + 33)) __builtin_trap();
        // The rest of the input is a signature attempt over itself.
        (void)key.verify(input, input.subspan(33));
    } catch (const cliquet::Error&) {
    }
    return 0;
}
