// OpenSSL's own allocations, which do not go through operator new: OpenSSL is
// given allocation functions (CRYPTO_set_mem_functions, installed before its
// first allocation) whose n-th allocation on the armed thread fails, and n is
// swept over every allocation of the calls that use OpenSSL: the public-key
// check and XEdDSA verification (big-number arithmetic), AES-256-CBC and
// CTR, and SHA-512. Each failure must be std::bad_alloc, never a verdict (a
// key refused, a signature judged forged) or another error; and the same
// call then gives the right answer.
#include <catch2/catch.hpp>
#include <openssl/crypto.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <new>
#include <optional>

#include "alloc_sweep.hpp"
#include "cliquet/error.hpp"
#include "cliquet/keys.hpp"
#include "crypto/aes.hpp"
#include "crypto/curve25519.hpp"
#include "crypto/hash.hpp"

using namespace cliquet;
using namespace cliquet::testing::alloc;

namespace {

thread_local bool t_armed = false;
thread_local std::size_t t_count = 0;
thread_local std::size_t t_fail_at = 0;
thread_local bool t_reached = false;

bool fails_now() {
    if (!t_armed || ++t_count != t_fail_at) return false;
    t_reached = true;
    return true;
}
void* failing_malloc(std::size_t size, const char*, int) { return fails_now() ? nullptr : std::malloc(size); }
void* failing_realloc(void* p, std::size_t size, const char*, int) {
    if (size == 0) {
        std::free(p);
        return nullptr;
    }
    return fails_now() ? nullptr : std::realloc(p, size);
}
void plain_free(void* p, const char*, int) { std::free(p); }

// Before main, so before OpenSSL's first allocation (after it, OpenSSL
// refuses new functions).
const bool g_installed = CRYPTO_set_mem_functions(failing_malloc, failing_realloc, plain_free) == 1;

// Runs `call` with this thread's n-th OpenSSL allocation failing.
template <typename Call>
Outcome call_with_openssl_failing_at(std::size_t n, Call&& call) {
    Outcome outcome;
    t_count = 0;
    t_fail_at = n;
    t_reached = false;
    t_armed = true;
    try {
        call();
    } catch (...) {
        outcome.error = std::current_exception();
    }
    t_armed = false;
    outcome.reached = t_reached;
    return outcome;
}

}  // namespace

TEST_CASE("an OpenSSL allocation failure in checking or verifying with a public key is bad_alloc, not a verdict",
          "[alloc][openssl]") {
    REQUIRE(g_installed);
    const IdentityKeyPair identity = IdentityKeyPair::generate();
    const Bytes message = {1, 2, 3};
    const Signature signature = identity.sign(message);
    const Bytes serialized = identity.public_key().serialize();
    std::array<std::uint8_t, 32> u;
    std::copy(serialized.begin() + 1, serialized.end(), u.begin());

    sweep_allocations("OpenSSL: public-key check", [&](std::size_t n) {
        std::optional<bool> canonical;
        const Outcome outcome =
            call_with_openssl_failing_at(n, [&] { canonical = crypto::is_canonical_public_key(u); });
        if (outcome.failed()) canonical = crypto::is_canonical_public_key(u);
        CHECK(canonical == true);
        return outcome;
    });
    sweep_allocations("OpenSSL: XEdDSA verification", [&](std::size_t n) {
        // A key this thread has not verified with, each time: the images of
        // known keys are remembered, and would skip the arithmetic.
        const IdentityKeyPair fresh = IdentityKeyPair::generate();
        const Signature fresh_signature = fresh.sign(message);
        std::optional<bool> verified;
        const Outcome outcome =
            call_with_openssl_failing_at(n, [&] { verified = fresh.public_key().verify(message, fresh_signature); });
        if (outcome.failed()) verified = fresh.public_key().verify(message, fresh_signature);
        CHECK(verified == true);
        CHECK_FALSE(fresh.public_key().verify(message, signature));
        return outcome;
    });
}

TEST_CASE("an OpenSSL allocation failure in AES or SHA-512 is bad_alloc", "[alloc][openssl]") {
    REQUIRE(g_installed);
    const std::array<std::uint8_t, 32> key{1, 2, 3};
    const std::array<std::uint8_t, 16> iv{4, 5, 6};
    const Bytes plaintext(40, 0x5a);
    // Once outside the sweep: the algorithms are fetched on first use and
    // kept, so the sweep counts the calls' own allocations.
    const Bytes expected = crypto::aes256_cbc_encrypt(key, iv, plaintext);
    const Bytes expected_ctr = crypto::aes256_ctr(key, iv, plaintext);
    const auto expected_digest = crypto::sha512({plaintext, key});

    sweep_allocations("OpenSSL: AES-256-CBC encrypt and decrypt", [&](std::size_t n) {
        Bytes decrypted;
        const auto round_trip = [&] {
            const Bytes ciphertext = crypto::aes256_cbc_encrypt(key, iv, plaintext);
            CHECK(ciphertext == expected);
            decrypted = crypto::aes256_cbc_decrypt(key, iv, ciphertext);
        };
        const Outcome outcome = call_with_openssl_failing_at(n, round_trip);
        if (outcome.failed()) round_trip();
        CHECK(decrypted == plaintext);
        return outcome;
    });
    sweep_allocations("OpenSSL: AES-256-CTR", [&](std::size_t n) {
        Bytes output;
        const Outcome outcome = call_with_openssl_failing_at(n, [&] { output = crypto::aes256_ctr(key, iv, plaintext); });
        if (outcome.failed()) output = crypto::aes256_ctr(key, iv, plaintext);
        CHECK(output == expected_ctr);
        return outcome;
    });
    sweep_allocations("OpenSSL: SHA-512", [&](std::size_t n) {
        std::optional<crypto::Sha512Digest> digest;
        const Outcome outcome = call_with_openssl_failing_at(n, [&] { digest = crypto::sha512({plaintext, key}); });
        if (outcome.failed()) digest = crypto::sha512({plaintext, key});
        CHECK(digest == expected_digest);
        return outcome;
    });
}
