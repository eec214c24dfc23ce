// Signs and verifies with an installed cliquet: enough to prove that the
// headers, the library and its dependencies are all found.
#include <cliquet/cliquet.hpp>

#include <cstdio>

int main() {
    const auto identity = cliquet::IdentityKeyPair::generate();
    const auto message = cliquet::as_bytes("installed");
    const auto signature = identity.sign(message);
    const bool valid = identity.public_key().verify(message, signature);
    std::printf("cliquet consumer: signature %s\n", valid ? "verifies" : "DOES NOT VERIFY");
    return valid ? 0 : 1;
}
