// The refusals at the edges of the primitives' wrappers: keys with no
// Edwards image or a top byte that looks non-canonical, signature scalars
// libsignal refuses, zero scalars, oversized HKDF output, hex that is not,
// KEM keys of one length and two types.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/kem.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "crypto/aes.hpp"
#include "crypto/curve25519.hpp"
#include "crypto/hash.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::error_of;

namespace {

// p - 1 = 2^255 - 20, the u-coordinate -1: canonical, but the birational
// map to Edwards form divides by u + 1 = 0.
std::array<std::uint8_t, 32> minus_one() {
    std::array<std::uint8_t, 32> u;
    u.fill(0xff);
    u[0] = 0xec;
    u[31] = 0x7f;
    return u;
}

}  // namespace

TEST_CASE("u = -1 has no Edwards image: not a public key, and no signature verifies with it", "[crypto][xeddsa]") {
    const auto u = minus_one();
    CHECK_FALSE(crypto::is_canonical_public_key(u));
    // A genuine signature, checked against that key: refused, not mapped.
    crypto::X25519Scalar scalar;
    scalar.span()[0] = 9;
    crypto::clamp_x25519_scalar(scalar.span());
    const std::array<std::uint8_t, 64> nonce{};
    const Bytes message = {1, 2, 3};
    const auto signature = crypto::xeddsa_sign_with_nonce(scalar, message, nonce);
    CHECK(crypto::xeddsa_verify(crypto::x25519_base(scalar), message, signature));
    CHECK_FALSE(crypto::xeddsa_verify(u, message, signature));
}

TEST_CASE("a genuine key whose top byte is 0x7f is canonical", "[crypto][xeddsa]") {
    // Only 2^255 - 19 and above have a top byte of 0x7f and every byte
    // below it but the first 0xff; a key with a top byte of 0x7f and any
    // other byte below 0xff is an ordinary one.
    const std::array<std::uint8_t, 32> seed{0x7f};
    DeterministicRandom random(seed);
    std::optional<crypto::X25519Point> found;
    for (int tries = 0; tries < 20'000 && !found; ++tries) {
        crypto::X25519Scalar scalar;
        random.fill(scalar.span());
        crypto::clamp_x25519_scalar(scalar.span());
        const crypto::X25519Point point = crypto::x25519_base(scalar);
        if (point[31] == 0x7f) found = point;
    }
    REQUIRE(found);
    CHECK(crypto::is_canonical_public_key(*found));
}

TEST_CASE("XEdDSA refuses a signature scalar with any of its three top bits set", "[crypto][xeddsa]") {
    crypto::X25519Scalar scalar;
    scalar.span()[0] = 42;
    crypto::clamp_x25519_scalar(scalar.span());
    const crypto::X25519Point key = crypto::x25519_base(scalar);
    const Bytes message = {4, 5, 6};
    const std::array<std::uint8_t, 64> nonce{1};
    const auto signature = crypto::xeddsa_sign_with_nonce(scalar, message, nonce);
    REQUIRE(crypto::xeddsa_verify(key, message, signature));
    // Bit 7 of the last byte is the sign bit; bits 5 and 6 belong to s.
    for (const int bit : {0x20, 0x40}) {
        auto forged = signature;
        forged[63] = static_cast<std::uint8_t>(forged[63] | bit);
        CHECK_FALSE(crypto::xeddsa_verify(key, message, forged));
    }
}

TEST_CASE("XEdDSA refuses to sign with a zero scalar", "[crypto][xeddsa]") {
    // Clamping never yields zero; an unclamped zero must still not sign.
    const crypto::X25519Scalar zero;
    const std::array<std::uint8_t, 64> nonce{};
    CHECK(error_of([&] { (void)crypto::xeddsa_sign_with_nonce(zero, Bytes{1}, nonce); }) == ErrorCode::invalid_key);
}

TEST_CASE("HKDF expansion from a PRK refuses more than 255 blocks and writes nothing", "[crypto][hkdf]") {
    const crypto::HmacSha256 prk(Bytes(32, 7));
    std::vector<std::uint8_t> out(255 * 32 + 1, 0xaa);
    CHECK(error_of([&] { crypto::hkdf_sha256_expand(out, prk, Bytes{}); }) == ErrorCode::invalid_argument);
    CHECK(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0xaa; }));
    out.resize(255 * 32);
    crypto::hkdf_sha256_expand(out, prk, Bytes{});
    CHECK_FALSE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0xaa; }));
}

TEST_CASE("unpadded CBC of nothing is nothing", "[crypto][aes]") {
    const std::array<std::uint8_t, 32> key{};
    const std::array<std::uint8_t, 16> iv{};
    CHECK(crypto::aes256_cbc_decrypt_unpadded(key, iv, ByteView{}).empty());
}

TEST_CASE("hex decoding takes either case and refuses every other character", "[bytes]") {
    CHECK(from_hex("00afAF09") == Bytes{0x00, 0xaf, 0xaf, 0x09});
    CHECK(from_hex("") == Bytes{});
    CHECK(error_of([] { (void)from_hex("abc"); }) == ErrorCode::invalid_argument);
    // Just outside each range of digits, on either side.
    for (const char* bad : {"/0", "0:", "@0", "0G", "`0", "0g", " 0", "0\xff"})
        CHECK(error_of([&] { (void)from_hex(bad); }) == ErrorCode::invalid_argument);
}

TEST_CASE("constant-time comparison: lengths first, and empty equals empty", "[bytes]") {
    CHECK(constant_time_equal(ByteView{}, ByteView{}));
    CHECK_FALSE(constant_time_equal(Bytes{1, 2}, Bytes{1, 2, 3}));
    CHECK(constant_time_equal(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
    CHECK_FALSE(constant_time_equal(Bytes{1, 2, 3}, Bytes{1, 2, 4}));
    // libsodium declares the pointer non-null (UBSan checks it): an empty
    // wipe must not reach it.
    secure_wipe(nullptr, 0);
}

TEST_CASE("a Kyber and an ML-KEM public key with the same bytes are different keys, as are two Kyber keys", "[kem]") {
    const KemPublicKey kyber = KemKeyPair::generate(KemType::kyber1024).public_key;
    Bytes as_mlkem = kyber.serialize();
    as_mlkem[0] = static_cast<std::uint8_t>(KemType::mlkem1024);
    const KemPublicKey mlkem = KemPublicKey::deserialize(as_mlkem);
    CHECK(mlkem.raw().size() == kyber.raw().size());
    CHECK_FALSE(mlkem == kyber);
    CHECK(KemPublicKey::deserialize(kyber.serialize()) == kyber);
    CHECK_FALSE(KemKeyPair::generate(KemType::kyber1024).public_key == kyber);
}

TEST_CASE("a raw KEM outside the enumeration is refused", "[kem]") {
    const std::array<std::uint8_t, 64> seed{};
    CHECK(error_of([&] { (void)raw_kem_keygen(static_cast<RawKem>(77), seed); }) == ErrorCode::invalid_argument);
}
