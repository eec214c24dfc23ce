// HMAC-SHA256 and HKDF-SHA256 as cliquet computes them (precomputed pad
// states over OpenSSL's SHA-256, RFC 5869 over that HMAC): the RFCs' known
// answers, and agreement with libsodium's HMAC and OpenSSL's own HKDF on
// every length that matters (keys around the block size, outputs up to the
// 8160-byte limit).
#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "crypto/hash.hpp"
#include "crypto/openssl.hpp"

using namespace cliquet;
using namespace cliquet::crypto;

namespace {

Bytes repeated(std::uint8_t byte, std::size_t count) { return Bytes(count, byte); }

Bytes random_bytes(RandomSource& random, std::size_t size) {
    Bytes out(size);
    random.fill(out);
    return out;
}

Bytes hkdf(std::size_t length, ByteView ikm, ByteView salt, ByteView info) {
    Bytes out(length);
    hkdf_sha256(out, ikm, salt, info);
    return out;
}

// OpenSSL's HKDF through EVP_KDF, the reference for the differential test.
Bytes openssl_hkdf(std::size_t length, ByteView ikm, ByteView salt, ByteView info) {
    static std::uint8_t empty = 0;
    auto bytes = [](ByteView b) { return b.empty() ? &empty : const_cast<std::uint8_t*>(b.data()); };
    openssl::KdfCtx ctx(EVP_KDF_CTX_new(openssl::hkdf()));
    REQUIRE(ctx);
    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    std::size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, bytes(ikm), ikm.size());
    if (!salt.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, bytes(salt), salt.size());
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, bytes(info), info.size());
    params[n] = OSSL_PARAM_construct_end();
    Bytes out(length);
    REQUIRE(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1);
    return out;
}

Bytes sodium_hmac(ByteView key, ByteView data) {
    // An empty span's data() may be null, which libsodium's memcpy must not
    // see even for a length of zero (UBSan reports it).
    static const std::uint8_t nothing = 0;
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key.empty() ? &nothing : key.data(), key.size());
    crypto_auth_hmacsha256_update(&state, data.empty() ? &nothing : data.data(), data.size());
    Bytes out(32);
    crypto_auth_hmacsha256_final(&state, out.data());
    return out;
}

Bytes as_vector(const Sha256Digest& digest) { return Bytes(digest.begin(), digest.end()); }

}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231", "[hash]") {
    CHECK(to_hex(hmac_sha256(repeated(0x0b, 20), as_bytes("Hi There"))) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(to_hex(hmac_sha256(repeated(0xaa, 20), repeated(0xdd, 50))) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    // Test case 6: a key longer than the block is hashed first.
    CHECK(to_hex(hmac_sha256(repeated(0xaa, 131),
                             as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("HMAC-SHA256 agrees with libsodium for keys and messages of every length around a block", "[hash]") {
    DeterministicRandom random(std::array<std::uint8_t, 32>{7});
    for (std::size_t key_size : {0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200}) {
        const Bytes key = random_bytes(random, key_size);
        const HmacSha256 keyed(key);
        for (std::size_t size = 0; size <= 200; ++size) {
            const Bytes data = random_bytes(random, size);
            INFO("key " << key_size << " bytes, message " << size << " bytes");
            REQUIRE(as_vector(keyed.mac(data)) == sodium_hmac(key, data));
        }
    }
}

TEST_CASE("HmacSha256 reuses its key: parts, copies and mac_into give the same MAC", "[hash]") {
    const Bytes key = repeated(0x11, 32);
    const HmacSha256 keyed(key);
    const Bytes whole = repeated(0x22, 150);
    const ByteView view(whole);
    const auto expected = keyed.mac(whole);
    CHECK(keyed.mac({view.first(1), view.subspan(1, 70), view.subspan(71)}) == expected);
    CHECK(keyed.mac({ByteView{}, view, ByteView{}}) == expected);
    const HmacSha256 copy(keyed);
    CHECK(copy.mac(whole) == expected);
    CHECK(keyed.mac(whole) == expected);  // the keyed state is not consumed
    Sha256Digest into{};
    keyed.mac_into(into, {whole});
    CHECK(into == expected);
}

TEST_CASE("HKDF-SHA256 matches RFC 5869", "[hash]") {
    // Test case 1.
    CHECK(to_hex(hkdf(42, repeated(0x0b, 22), from_hex("000102030405060708090a0b0c"),
                      from_hex("f0f1f2f3f4f5f6f7f8f9"))) ==
          "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    // Test case 3: no salt and no info.
    CHECK(to_hex(hkdf(42, repeated(0x0b, 22), {}, {})) ==
          "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    // An absent salt is HashLen zeros.
    CHECK(hkdf(42, repeated(0x0b, 22), repeated(0, 32), {}) == hkdf(42, repeated(0x0b, 22), {}, {}));
}

TEST_CASE("HKDF-SHA256 agrees with OpenSSL's EVP_KDF on every output length and odd inputs", "[hash]") {
    DeterministicRandom random(std::array<std::uint8_t, 32>{9});
    const Bytes ikm = random_bytes(random, 32);
    const ByteView label = as_bytes("WhisperMessageKeys");
    const Bytes info(label.begin(), label.end());
    for (std::size_t length = 1; length <= 8160; length += (length < 200 ? 1 : 97)) {
        INFO("output " << length << " bytes");
        REQUIRE(hkdf(length, ikm, {}, info) == openssl_hkdf(length, ikm, {}, info));
    }
    REQUIRE(hkdf(8160, ikm, ikm, info) == openssl_hkdf(8160, ikm, ikm, info));
    for (std::size_t size : {0, 1, 32, 64, 65, 300}) {
        const Bytes salt = random_bytes(random, size);
        const Bytes long_info = random_bytes(random, size);
        const Bytes secret = random_bytes(random, size + 1);
        INFO("inputs of " << size << " bytes");
        REQUIRE(hkdf(80, secret, salt, long_info) == openssl_hkdf(80, secret, salt, long_info));
    }
}

TEST_CASE("HKDF-SHA256 refuses more than 255 blocks and does nothing for none", "[hash]") {
    Bytes too_long(8161);
    try {
        hkdf_sha256(too_long, repeated(1, 32), {}, {});
        FAIL("derived more than 8160 bytes");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
    }
    CHECK_NOTHROW(hkdf_sha256(std::span<std::uint8_t>{}, repeated(1, 32), {}, {}));
}

TEST_CASE("hkdf_sha256_expand from a keyed PRK equals the whole HKDF", "[hash]") {
    const Bytes ikm = repeated(0x0b, 22);
    const Bytes salt = from_hex("000102030405060708090a0b0c");
    const auto prk = hmac_sha256(salt, ikm);
    Bytes expanded(42);
    hkdf_sha256_expand(expanded, HmacSha256(prk), from_hex("f0f1f2f3f4f5f6f7f8f9"));
    CHECK(to_hex(expanded) ==
          "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}
