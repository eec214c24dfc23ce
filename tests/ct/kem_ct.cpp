// Constant-time check of the KEMs under valgrind memcheck: the seeds, the
// message m and the secret parts of the decapsulation key are marked
// undefined, so that any branch or memory index that depends on them is
// reported as a use of uninitialised memory. Outputs are marked defined again
// only where this program itself looks at them. Run as
//   valgrind --error-exitcode=1 kem-ct
// (outside valgrind the client requests do nothing and it just runs).
#include <valgrind/memcheck.h>

#include <array>
#include <cstdio>

#include "crypto/kem/kem.hpp"

using namespace cliquet::crypto::kem;

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
void mark_secret(const void* data, std::size_t size) { (void)VALGRIND_MAKE_MEM_UNDEFINED(data, size); }
void mark_public(const void* data, std::size_t size) { (void)VALGRIND_MAKE_MEM_DEFINED(data, size); }
#pragma GCC diagnostic pop

bool check_variant(KemVariant variant, const char* name) {
    std::array<std::uint8_t, kSeedSize> seed{};
    std::array<std::uint8_t, kMessageSize> message{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(31 * i + 7);
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(17 * i + 3);

    mark_secret(seed.data(), seed.size());
    auto pair = keygen(variant, seed);
    mark_public(pair.public_key.data(), pair.public_key.size());

    mark_secret(message.data(), message.size());
    auto sent = encapsulate(variant, pair.public_key, message);
    mark_public(sent.ciphertext.data(), sent.ciphertext.size());

    // dk = dk_pke || ek || H(ek) || z: dk_pke and z are the secrets; ek and
    // H(ek), computed from secrets by keygen, are public.
    const std::size_t dk_pke_size = 384 * params(variant).rank;
    auto dk = pair.secret_key.span();
    mark_public(dk.data(), dk.size());
    mark_secret(dk.data(), dk_pke_size);
    mark_secret(dk.data() + dk.size() - 32, 32);
    auto received = decapsulate(variant, dk, sent.ciphertext);

    // Implicit rejection takes the same path: a corrupted ciphertext.
    auto corrupted = sent.ciphertext;
    corrupted[5] ^= 1;
    auto rejected = decapsulate(variant, dk, corrupted);

    mark_public(sent.shared_secret.data(), 32);
    mark_public(received.data(), 32);
    mark_public(rejected.data(), 32);
    const bool ok = received == sent.shared_secret && !(rejected == sent.shared_secret);
    std::printf("%s: %s\n", name, ok ? "ok" : "MISMATCH");
    return ok;
}

}  // namespace

int main() {
    bool ok = check_variant(KemVariant::kyber1024, "kyber1024");
    ok = check_variant(KemVariant::mlkem768, "mlkem768") && ok;
    ok = check_variant(KemVariant::mlkem1024, "mlkem1024") && ok;
    return ok ? 0 : 1;
}
