// KEM public keys, secret keys and ciphertexts in libsignal's typed form.
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/kem.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const cliquet::ByteView input(data, size);
    try {
        const auto key = cliquet::KemPublicKey::deserialize(input);
        if (key.serialize() != cliquet::Bytes(input.begin(), input.end())) __builtin_trap();
        (void)key.encapsulate();
    } catch (const cliquet::Error&) {
    }
    try {
        const auto secret = cliquet::KemSecretKey::deserialize(input);
        (void)secret.decapsulate(input);
    } catch (const cliquet::Error&) {
    }
    return 0;
}
