// Constant-time check of the Curve25519 operations and the MAC comparison
// under valgrind memcheck: private scalars, nonces and MAC tags are marked
// undefined, so a branch or memory index that depends on them is reported.
// Run as `valgrind --error-exitcode=1 --suppressions=primitives_ct.supp
// primitives-ct`; outside valgrind the client requests do nothing.
#include <valgrind/memcheck.h>

#include <array>
#include <cstdio>

#include "cliquet/bytes.hpp"
#include "crypto/curve25519.hpp"
#include "crypto/hash.hpp"

using namespace cliquet;

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
void mark_secret(const void* data, std::size_t size) { (void)VALGRIND_MAKE_MEM_UNDEFINED(data, size); }
void mark_public(const void* data, std::size_t size) { (void)VALGRIND_MAKE_MEM_DEFINED(data, size); }
#pragma GCC diagnostic pop

crypto::X25519Scalar fixed_scalar(std::uint8_t salt) {
    crypto::X25519Scalar scalar;
    for (std::size_t i = 0; i < 32; ++i) scalar.data()[i] = static_cast<std::uint8_t>(i * 13 + salt);
    crypto::clamp_x25519_scalar(scalar.span());
    return scalar;
}

bool check_x25519() {
    auto alice = fixed_scalar(1);
    auto bob = fixed_scalar(2);
    mark_secret(alice.data(), 32);
    mark_secret(bob.data(), 32);
    auto alice_public = crypto::x25519_base(alice);
    auto bob_public = crypto::x25519_base(bob);
    mark_public(alice_public.data(), 32);
    mark_public(bob_public.data(), 32);
    auto shared_a = crypto::x25519(alice, bob_public);
    auto shared_b = crypto::x25519(bob, alice_public);
    mark_public(shared_a.data(), 32);
    mark_public(shared_b.data(), 32);
    return shared_a == shared_b;
}

bool check_xeddsa() {
    auto scalar = fixed_scalar(3);
    std::array<std::uint8_t, 64> nonce;
    for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<std::uint8_t>(i * 7 + 5);
    const std::array<std::uint8_t, 5> message = {'h', 'e', 'l', 'l', 'o'};
    auto public_key = crypto::x25519_base(scalar);
    mark_secret(scalar.data(), 32);
    mark_secret(nonce.data(), nonce.size());
    auto signature = crypto::xeddsa_sign_with_nonce(scalar, message, nonce);
    mark_public(signature.data(), signature.size());
    return crypto::xeddsa_verify(public_key, message, signature);
}

bool check_mac_compare() {
    const std::array<std::uint8_t, 32> key{};
    const std::array<std::uint8_t, 3> data = {1, 2, 3};
    auto expected = crypto::hmac_sha256(key, data);
    auto received = expected;
    received[31] ^= 1;
    mark_secret(expected.data(), expected.size());
    mark_secret(received.data(), received.size());
    const bool equal = constant_time_equal(expected, received);
    const bool same = constant_time_equal(expected, expected);
    mark_public(&equal, sizeof equal);
    mark_public(&same, sizeof same);
    return !equal && same;
}

}  // namespace

int main() {
    bool ok = true;
    for (auto [name, check] : {std::pair{"x25519", &check_x25519}, std::pair{"xeddsa", &check_xeddsa},
                               std::pair{"mac-compare", &check_mac_compare}}) {
        const bool passed = check();
        std::printf("%s: %s\n", name, passed ? "ok" : "MISMATCH");
        ok = ok && passed;
    }
    return ok ? 0 : 1;
}
