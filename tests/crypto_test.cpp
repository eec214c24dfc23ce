// HMAC-SHA256, HKDF-SHA256, AES-256 (block, CBC, CTR): published known
// answers and every refusal. The JSON vectors hold many more cases; these
// keep the unit suite self-contained.
#include <catch2/catch.hpp>

#include <functional>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "crypto/aes.hpp"
#include "crypto/hash.hpp"

using namespace cliquet;
using namespace cliquet::crypto;

namespace {

const Bytes kNistKey = from_hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
const Bytes kNistPlaintext = from_hex(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17"
    "ad2b417be66c3710");

Aes256Key key_of(const Bytes& bytes) { return ByteView(bytes).first<32>(); }
AesIv iv_of(const Bytes& bytes) { return ByteView(bytes).first<16>(); }

void require_refused(ErrorCode code, const std::function<void()>& operation) {
    try {
        operation();
        FAIL("the operation was not refused");
    } catch (const Error& e) {
        CHECK(e.code() == code);
    }
}

Bytes random_bytes(std::size_t size) {
    Bytes out(size);
    system_random().fill(out);
    return out;
}

}  // namespace

// tests/hash_test.cpp holds RFC 4231 cases 1, 2, 3 and 6 and RFC 5869 A.1
// and A.3; these are the remaining SHA-256 answers of both RFCs.
TEST_CASE("HMAC-SHA256 matches RFC 4231 cases 4, 5 (truncated) and 7", "[hmac]") {
    CHECK(to_hex(hmac_sha256(from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Bytes(50, 0xcd))) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    // Case 5 truncates the output to 128 bits.
    const auto truncated = hmac_sha256(Bytes(20, 0x0c), as_bytes("Test With Truncation"));
    CHECK(to_hex(ByteView(truncated).first(16)) == "a3b6167473100ee06e0c796c2955552b");
    CHECK(to_hex(hmac_sha256(Bytes(131, 0xaa),
                             as_bytes("This is a test using a larger than block-size key and a larger than block-size "
                                      "data. The key needs to be hashed before being used by the HMAC algorithm."))) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HKDF-SHA256 matches RFC 5869 A.2 (long inputs, 82 bytes out)", "[hkdf]") {
    Bytes ikm(80), salt(80), info(80);
    for (std::size_t i = 0; i < 80; ++i) {
        ikm[i] = static_cast<std::uint8_t>(i);
        salt[i] = static_cast<std::uint8_t>(0x60 + i);
        info[i] = static_cast<std::uint8_t>(0xb0 + i);
    }
    Bytes okm(82);
    hkdf_sha256(okm, ikm, salt, info);
    CHECK(to_hex(okm) ==
          "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f"
          "09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST_CASE("a shorter HKDF-SHA256 output is a prefix of a longer one, a refused one writes nothing", "[hkdf]") {
    const Bytes ikm = random_bytes(32);
    Bytes longest(255 * 32);
    hkdf_sha256(longest, ikm, {}, as_bytes("info"));
    Bytes prefix(100);
    hkdf_sha256(prefix, ikm, {}, as_bytes("info"));
    CHECK(std::equal(prefix.begin(), prefix.end(), longest.begin()));

    Bytes too_long(255 * 32 + 1, 0x5a);
    require_refused(ErrorCode::invalid_argument, [&] { hkdf_sha256(too_long, ikm, {}, {}); });
    CHECK(too_long == Bytes(255 * 32 + 1, 0x5a));
}

TEST_CASE("the AES-256 block function matches FIPS 197", "[aes]") {
    const Bytes key = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    Bytes blocks = from_hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    Aes256Block(key_of(key)).encrypt_blocks(blocks);
    CHECK(to_hex(blocks) == "8ea2b7ca516745bfeafc49904b4960898ea2b7ca516745bfeafc49904b496089");
    Bytes partial(17);
    require_refused(ErrorCode::invalid_argument, [&] { Aes256Block(key_of(key)).encrypt_blocks(partial); });
}

TEST_CASE("unpadded AES-256-CBC matches NIST SP 800-38A F.2.5 and F.2.6", "[aes][cbc]") {
    const Bytes iv = from_hex("000102030405060708090a0b0c0d0e0f");
    const std::string expected =
        "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9f"
        "cda6c19078c6a9d1b";
    CHECK(to_hex(aes256_cbc_encrypt_unpadded(key_of(kNistKey), iv_of(iv), kNistPlaintext)) == expected);
    CHECK(aes256_cbc_decrypt_unpadded(key_of(kNistKey), iv_of(iv), from_hex(expected)) == kNistPlaintext);
    CHECK(aes256_cbc_encrypt_unpadded(key_of(kNistKey), iv_of(iv), {}).empty());
    require_refused(ErrorCode::invalid_argument,
                    [&] { (void)aes256_cbc_encrypt_unpadded(key_of(kNistKey), iv_of(iv), Bytes(15)); });
    require_refused(ErrorCode::invalid_message,
                    [&] { (void)aes256_cbc_decrypt_unpadded(key_of(kNistKey), iv_of(iv), Bytes(17)); });
}

TEST_CASE("PKCS#7 AES-256-CBC round-trips and pads to the next block", "[aes][cbc]") {
    const Bytes key = random_bytes(32);
    const Bytes iv = random_bytes(16);
    for (std::size_t size = 0; size <= 48; ++size) {
        const Bytes message = random_bytes(size);
        const Bytes ciphertext = aes256_cbc_encrypt(key_of(key), iv_of(iv), message);
        CHECK(ciphertext.size() == (size / 16 + 1) * 16);
        CHECK(aes256_cbc_decrypt(key_of(key), iv_of(iv), ciphertext) == message);
        // The padding is what the unpadded decryption shows.
        const Bytes raw = aes256_cbc_decrypt_unpadded(key_of(key), iv_of(iv), ciphertext);
        const std::uint8_t pad = static_cast<std::uint8_t>(16 - size % 16);
        CHECK(std::all_of(raw.begin() + static_cast<std::ptrdiff_t>(size), raw.end(),
                          [&](std::uint8_t b) { return b == pad; }));
    }
}

TEST_CASE("PKCS#7 AES-256-CBC refuses bad lengths and bad padding", "[aes][cbc]") {
    const Bytes key = random_bytes(32);
    const Bytes iv = random_bytes(16);
    for (std::size_t size : {0, 1, 15, 17, 31}) {
        require_refused(ErrorCode::invalid_message,
                        [&] { (void)aes256_cbc_decrypt(key_of(key), iv_of(iv), Bytes(size)); });
    }
    // Last blocks whose decryption is not valid padding.
    const std::function<void(Bytes&)> spoilers[] = {
        [](Bytes& b) { b[15] = 0x00; },
        [](Bytes& b) { b[15] = 0x11; },
        [](Bytes& b) { b[15] = 0xff; },
        [](Bytes& b) { b[14] = 0x01, b[15] = 0x02; },
        [](Bytes& b) { std::fill(b.begin(), b.end(), std::uint8_t{0x10}), b[0] = 0x0f; },
        [](Bytes& b) { b[13] = 0x03, b[14] = 0x04, b[15] = 0x03; },
    };
    for (const auto& spoil : spoilers) {
        Bytes block = random_bytes(16);
        spoil(block);
        const Bytes ciphertext = aes256_cbc_encrypt_unpadded(key_of(key), iv_of(iv), block);
        require_refused(ErrorCode::invalid_message, [&] { (void)aes256_cbc_decrypt(key_of(key), iv_of(iv), ciphertext); });
    }
}

TEST_CASE("AES-256-CTR matches NIST SP 800-38A F.5.5 and F.5.6", "[aes][ctr]") {
    const Bytes counter = from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    const std::string expected =
        "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada"
        "613c2dd08457941a6";
    CHECK(to_hex(aes256_ctr(key_of(kNistKey), iv_of(counter), kNistPlaintext)) == expected);
    CHECK(aes256_ctr(key_of(kNistKey), iv_of(counter), from_hex(expected)) == kNistPlaintext);
    CHECK(aes256_ctr(key_of(kNistKey), iv_of(counter), {}).empty());
}

TEST_CASE("AES-256-CTR counts with all 128 bits, wrapping at the top", "[aes][ctr]") {
    const Bytes key = random_bytes(32);
    const Bytes start(16, 0xff);
    const Bytes message = random_bytes(40);
    // The keystream is the block function on ff..ff, 00..00, 00..01.
    Bytes counters(48, 0);
    std::fill(counters.begin(), counters.begin() + 16, std::uint8_t{0xff});
    counters[47] = 0x01;
    Aes256Block(key_of(key)).encrypt_blocks(counters);
    Bytes expected(message.size());
    for (std::size_t i = 0; i < message.size(); ++i) expected[i] = message[i] ^ counters[i];
    CHECK(aes256_ctr(key_of(key), iv_of(start), message) == expected);
}
