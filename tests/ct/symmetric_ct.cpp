// Constant-time check of the symmetric authenticators under valgrind
// memcheck: POLYVAL (both backends), AES-256-GCM-SIV's tag computation and
// check, and the 1:1 session's truncated MAC check. Keys and the data they
// authenticate are marked undefined, so a branch or memory index that depends
// on them is reported; the verdicts (tag equal or not) are public by design
// and are declassified where they are returned.
//
// Run as `valgrind --error-exitcode=1 symmetric-ct`; outside valgrind the
// client requests do nothing and the program only checks its answers.
#include <valgrind/memcheck.h>

#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/messages.hpp"
#include "crypto/aes_gcm_siv.hpp"
#include "crypto/polyval.hpp"

using namespace cliquet;

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
void mark_secret(const void* data, std::size_t size) { (void)VALGRIND_MAKE_MEM_UNDEFINED(data, size); }
void mark_public(const void* data, std::size_t size) { (void)VALGRIND_MAKE_MEM_DEFINED(data, size); }
#pragma GCC diagnostic pop

template <std::size_t N>
std::array<std::uint8_t, N> pattern(std::uint8_t salt) {
    std::array<std::uint8_t, N> out;
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(i * 29 + salt);
    return out;
}

// POLYVAL with a secret key over secret data (the plaintext, in GCM-SIV):
// 100 bytes, so that full blocks and a padded partial one are both absorbed.
bool check_polyval(crypto::PolyvalBackend backend) {
    auto key = pattern<16>(1);
    auto data = pattern<100>(2);
    mark_secret(key.data(), key.size());
    mark_secret(data.data(), data.size());
    crypto::Polyval polyval(key, backend);
    polyval.update_padded(data);
    SecretArray<16> digest = polyval.digest();
    mark_public(digest.data(), digest.size());

    // The same hash of public inputs must agree.
    mark_public(key.data(), key.size());
    mark_public(data.data(), data.size());
    crypto::Polyval reference(key, backend);
    reference.update_padded(data);
    return reference.digest() == digest;
}

// AES-256-GCM-SIV decryption with a secret key: the genuine ciphertext
// opens, one with a flipped tag bit is refused, and nothing on the way
// (key schedule, POLYVAL, the tag comparison) branches on the key or on
// the plaintext it recovers.
bool check_gcm_siv_tag() {
    auto key = pattern<32>(3);
    const auto nonce = pattern<12>(4);
    const auto plaintext = pattern<40>(5);
    const auto aad = pattern<7>(6);
    const Bytes sealed = crypto::aes256_gcm_siv_encrypt(key, nonce, plaintext, aad);
    Bytes forged = sealed;
    forged.back() ^= 0x01;

    mark_secret(key.data(), key.size());
    Bytes opened = crypto::aes256_gcm_siv_decrypt(key, nonce, sealed, aad);
    mark_public(opened.data(), opened.size());
    bool refused = false;
    try {
        (void)crypto::aes256_gcm_siv_decrypt(key, nonce, forged, aad);
    } catch (const Error& e) {
        refused = e.code() == ErrorCode::invalid_message;
    }
    return opened == Bytes(plaintext.begin(), plaintext.end()) && refused;
}

// The 8-byte truncated MAC of a SignalMessage, checked under a secret MAC
// key: the HMAC and the comparison must not branch on the key or on the
// expected MAC.
bool check_session_mac() {
    auto mac_key = pattern<32>(7);
    const IdentityKey sender = PublicKey::from_montgomery(pattern<32>(8));
    const IdentityKey receiver = PublicKey::from_montgomery(pattern<32>(9));
    const PublicKey ratchet = PublicKey::from_montgomery(pattern<32>(10));
    const auto ciphertext = pattern<48>(11);
    const SignalMessage message = SignalMessage::create(4, ratchet, 5, 2, ciphertext, sender, receiver, mac_key);
    Bytes tampered_bytes = message.serialize();
    tampered_bytes.back() ^= 0x80;
    const SignalMessage tampered = SignalMessage::deserialize(tampered_bytes);

    mark_secret(mac_key.data(), mac_key.size());
    bool genuine = message.verify_mac(sender, receiver, mac_key);
    bool forged = tampered.verify_mac(sender, receiver, mac_key);
    mark_public(&genuine, sizeof genuine);
    mark_public(&forged, sizeof forged);
    return genuine && !forged;
}

}  // namespace

int main() {
    std::vector<std::pair<const char*, bool (*)()>> checks = {
        {"polyval-portable", [] { return check_polyval(crypto::PolyvalBackend::portable); }},
        {"aes-gcm-siv-tag", &check_gcm_siv_tag},
        {"session-mac", &check_session_mac},
    };
    if (crypto::polyval_clmul_available())
        checks.emplace_back("polyval-clmul", [] { return check_polyval(crypto::PolyvalBackend::clmul); });
    bool ok = true;
    for (const auto& [name, check] : checks) {
        const bool passed = check();
        std::printf("%s: %s\n", name, passed ? "ok" : "MISMATCH");
        ok = ok && passed;
    }
    return ok ? 0 : 1;
}
