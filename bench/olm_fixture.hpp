// A pair of libolm 3.2 sessions set up through its public C API, for the
// side-by-side benchmarks. libolm is the C/C++ double ratchet most
// applications would otherwise reach for.
#pragma once

#include <olm/olm.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cliquet::bench {

class OlmPair {
public:
    OlmPair();
    OlmPair(const OlmPair&) = delete;
    OlmPair& operator=(const OlmPair&) = delete;
    ~OlmPair();

    struct Message {
        std::size_t type;
        std::string body;  // base64, as libolm emits it
    };

    // Encrypts from Alice to Bob (alice_to_bob) or back.
    Message encrypt(bool alice_to_bob, const std::vector<std::uint8_t>& plaintext);
    // Decrypts on the other side; returns the plaintext length.
    std::size_t decrypt(bool alice_to_bob, Message message);

private:
    struct Party {
        std::vector<std::uint8_t> account_memory, session_memory;
        OlmAccount* account = nullptr;
        OlmSession* session = nullptr;
    };
    Party alice_, bob_;
    std::vector<std::uint8_t> scratch_;
};

}  // namespace cliquet::bench
