// AES-256-GCM-SIV and POLYVAL: RFC 8452's known answers, both POLYVAL
// implementations held against a slow bit-by-bit reference and against each
// other, and every way a decryption must refuse.
#include <catch2/catch.hpp>

#include <array>
#include <fstream>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "crypto/aes_gcm_siv.hpp"
#include "crypto/polyval.hpp"

using namespace cliquet;
using namespace cliquet::crypto;

namespace {

using Block = std::array<std::uint8_t, 16>;

std::vector<PolyvalBackend> available_backends() {
    std::vector<PolyvalBackend> backends = {PolyvalBackend::portable};
    if (polyval_clmul_available()) backends.push_back(PolyvalBackend::clmul);
    return backends;
}

Bytes polyval(PolyvalBackend backend, ByteView key, ByteView data) {
    REQUIRE(key.size() == 16);
    Polyval hash(key.first<16>(), backend);
    hash.update_padded(data);
    const auto digest = hash.digest();
    return Bytes(digest.data(), digest.data() + 16);
}

// The field of RFC 8452 §3, one bit at a time: bit i of the little-endian
// block is the coefficient of x^i. Slow and variable-time, for tests only.
struct Element {
    std::array<bool, 128> bits{};
};

Element element_from(ByteView bytes) {
    Element e;
    for (std::size_t i = 0; i < 128; ++i) e.bits[i] = ((bytes[i / 8] >> (i % 8)) & 1) != 0;
    return e;
}

Bytes element_bytes(const Element& e) {
    Bytes out(16, 0);
    for (std::size_t i = 0; i < 128; ++i)
        if (e.bits[i]) out[i / 8] = static_cast<std::uint8_t>(out[i / 8] | (1u << (i % 8)));
    return out;
}

// Reduction terms of x^128 = x^127 + x^126 + x^121 + 1.
constexpr std::size_t kReductionTerms[] = {0, 121, 126, 127};

Element times_x(const Element& a) {
    Element r;
    for (std::size_t i = 1; i < 128; ++i) r.bits[i] = a.bits[i - 1];
    if (a.bits[127])
        for (std::size_t t : kReductionTerms) r.bits[t] = !r.bits[t];
    return r;
}

Element divided_by_x(const Element& a) {
    // a / x: if the constant term is set, add the modulus first (its
    // constant term is 1), then shift down; the x^128 term becomes x^127.
    Element b = a;
    const bool odd = b.bits[0];
    if (odd)
        for (std::size_t t : kReductionTerms) b.bits[t] = !b.bits[t];
    Element r;
    for (std::size_t i = 0; i + 1 < 128; ++i) r.bits[i] = b.bits[i + 1];
    r.bits[127] = odd;
    return r;
}

Element reference_dot(const Element& a, const Element& b) {
    Element product;
    Element shifted = a;
    for (std::size_t i = 0; i < 128; ++i) {
        if (b.bits[i])
            for (std::size_t j = 0; j < 128; ++j) product.bits[j] = product.bits[j] != shifted.bits[j];
        shifted = times_x(shifted);
    }
    for (int i = 0; i < 128; ++i) product = divided_by_x(product);
    return product;
}

Bytes reference_polyval(ByteView key, ByteView data) {
    const Element h = element_from(key);
    Element s;
    for (std::size_t offset = 0; offset < data.size(); offset += 16) {
        Bytes block(16, 0);
        std::copy(data.begin() + static_cast<std::ptrdiff_t>(offset),
                  data.begin() + static_cast<std::ptrdiff_t>(std::min(offset + 16, data.size())), block.begin());
        const Element x = element_from(block);
        for (std::size_t i = 0; i < 128; ++i) s.bits[i] = s.bits[i] != x.bits[i];
        s = reference_dot(s, h);
    }
    return element_bytes(s);
}

Bytes random_bytes(RandomSource& random, std::size_t size) {
    Bytes out(size);
    random.fill(out);
    return out;
}

struct KnownAnswer {
    const char* name;
    const char* key;
    const char* nonce;
    const char* aad;
    const char* plaintext;
    const char* result;
};

// A selection of RFC 8452 Appendix C.2 and C.3; test_vectors/aes_256_gcm_siv.json has them all.
constexpr KnownAnswer kRfc8452[] = {
    {"C.2 #1", "0100000000000000000000000000000000000000000000000000000000000000", "030000000000000000000000", "", "",
     "07f5f4169bbf55a8400cd47ea6fd400f"},
    {"C.2 #2", "0100000000000000000000000000000000000000000000000000000000000000", "030000000000000000000000", "",
     "0100000000000000", "c2ef328e5c71c83b843122130f7364b761e0b97427e3df28"},
    {"C.2 #7", "0100000000000000000000000000000000000000000000000000000000000000", "030000000000000000000000", "",
     "01000000000000000000000000000000020000000000000000000000000000000300000000000000000000000000000004000000000000"
     "000000000000000000",
     "c2d5160a1f8683834910acdafc41fbb1632d4a353e8b905ec9a5499ac34f96c7e1049eb080883891a4db8caaa1f99dd004d804875407352"
     "34e3744512c6f90ce112864c269fc0d9d88c61fa47e39aa08"},
    {"C.2 #15", "0100000000000000000000000000000000000000000000000000000000000000", "030000000000000000000000",
     "010000000000000000000000000000000200", "0300000000000000000000000000000004000000",
     "43dd0163cdb48f9fe3212bf61b201976067f342bb879ad976d8242acc188ab59cabfe307"},
    {"C.2 #24", "3c535de192eaed3822a2fbbe2ca9dfc88255e14a661b8aa82cc54236093bbc23", "688089e55540db1872504e1c",
     "734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f167541",
     "ced532ce4159b035277d4dfbb7db62968b13cd4eec",
     "626660c26ea6612fb17ad91e8e767639edd6c9faee9d6c7029675b89eaf4ba1ded1a286594"},
    {"C.3 #1", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "",
     "000000000000000000000000000000004db923dc793ee6497c76dcc03a98e108",
     "f3f80f2cf0cb2dd9c5984fcda908456cc537703b5ba70324a6793a7bf218d3eaffffffff000000000000000000000000"},
    {"C.3 #2", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "",
     "eb3640277c7ffd1303c7a542d02d3e4c0000000000000000",
     "18ce4f0b8cb4d0cac65fea8f79257b20888e53e72299e56dffffffff000000000000000000000000"},
};

void require_invalid_message(const std::function<void()>& operation) {
    try {
        operation();
        FAIL("the operation was not refused");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_message);
    }
}

}  // namespace

TEST_CASE("POLYVAL matches RFC 8452 Appendix A", "[polyval]") {
    const Bytes key = from_hex("25629347589242761d31f826ba4b757b");
    const Bytes data = from_hex("4f4f95668c83dfb6401762bb2d01a262d1a24ddd2721d006bbe45f20d3c9f362");
    const Bytes expected = from_hex("f7a3b47b846119fae5b7866cf5e5b77e");
    CHECK(reference_polyval(key, data) == expected);
    for (PolyvalBackend backend : available_backends()) {
        INFO("backend " << static_cast<int>(backend));
        CHECK(polyval(backend, key, data) == expected);
    }
}

TEST_CASE("POLYVAL matches the intermediate values of RFC 8452 Appendix C.2", "[polyval]") {
    struct Case {
        const char* key;
        const char* input;
        const char* result;
    };
    const Case cases[] = {
        {"b5d3c529dfafac43136d2d11be284d7f", "0100000000000000000000000000000000000000000000004000000000000000",
         "05230f62f0eac8aa14fe4d646b59cd41"},
        {"cb8c3aa3f8dbaeb4b28a3e86ff6625f8",
         "734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f16754100000000000000000000000000"
         "ced532ce4159b035277d4dfbb7db62968b13cd4eec00000000000000000000001801000000000000a800000000000000",
         "ffd503c7dd712eb3791b7114b17bb0cf"},
    };
    for (const Case& c : cases) {
        for (PolyvalBackend backend : available_backends())
            CHECK(to_hex(polyval(backend, from_hex(c.key), from_hex(c.input))) == c.result);
    }
}

TEST_CASE("both POLYVAL implementations agree with a bit-by-bit reference", "[polyval]") {
    const std::array<std::uint8_t, 32> seed = {0x70, 0x6f, 0x6c, 0x79, 0x76, 0x61, 0x6c};
    DeterministicRandom random(seed);
    for (int round = 0; round < 64; ++round) {
        const Bytes key = random_bytes(random, 16);
        const Bytes data = random_bytes(random, static_cast<std::size_t>(round) * 5);
        const Bytes expected = reference_polyval(key, data);
        for (PolyvalBackend backend : available_backends()) CHECK(polyval(backend, key, data) == expected);
    }
    // Sparse and extreme operands exercise every carry path of the masked multiplies.
    const Bytes ones(16, 0xff);
    Bytes top_bit(16, 0);
    top_bit[15] = 0x80;
    Bytes one(16, 0);
    one[0] = 1;
    for (const Bytes& key : {ones, top_bit, one})
        for (const Bytes& data : {ones, top_bit, one})
            for (PolyvalBackend backend : available_backends())
                CHECK(polyval(backend, key, data) == reference_polyval(key, data));
}

TEST_CASE("the portable and carry-less-multiply POLYVAL agree on long random inputs", "[polyval]") {
    if (!polyval_clmul_available()) {
        WARN("no PCLMULQDQ on this processor: only the portable POLYVAL is tested");
        return;
    }
    for (int round = 0; round < 200; ++round) {
        const Bytes key = random_bytes(system_random(), 16);
        const Bytes data = random_bytes(system_random(), static_cast<std::size_t>(round) * 37);
        CHECK(polyval(PolyvalBackend::portable, key, data) == polyval(PolyvalBackend::clmul, key, data));
    }
}

TEST_CASE("AES-256-GCM-SIV matches RFC 8452 Appendix C", "[aes_gcm_siv]") {
    for (const KnownAnswer& v : kRfc8452) {
        INFO(v.name);
        const Bytes key = from_hex(v.key);
        const Bytes nonce = from_hex(v.nonce);
        const Bytes aad = from_hex(v.aad);
        const Bytes plaintext = from_hex(v.plaintext);
        for (PolyvalBackend backend : available_backends()) {
            const Bytes sealed =
                aes256_gcm_siv_encrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(), plaintext, aad, backend);
            CHECK(to_hex(sealed) == v.result);
            CHECK(aes256_gcm_siv_decrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(), sealed, aad,
                                         backend) == plaintext);
        }
    }
}

TEST_CASE("every RFC 8452 case of the published vectors holds on each POLYVAL backend", "[aes_gcm_siv]") {
    std::ifstream in(CLIQUET_SOURCE_DIR "/test_vectors/aes_256_gcm_siv.json");
    REQUIRE(in);
    const auto file = nlohmann::json::parse(in);
    int checked = 0;
    for (const auto& group : file.at("testGroups")) {
        for (const auto& test : group.at("tests")) {
            const auto& flags = test.at("flags");
            if (std::find(flags.begin(), flags.end(), "Rfc8452") == flags.end()) continue;
            INFO(test.at("comment").get<std::string>());
            const Bytes key = from_hex(test.at("key").get<std::string>());
            const Bytes nonce = from_hex(test.at("iv").get<std::string>());
            const Bytes aad = from_hex(test.at("aad").get<std::string>());
            const Bytes plaintext = from_hex(test.at("msg").get<std::string>());
            const std::string expected = test.at("ct").get<std::string>() + test.at("tag").get<std::string>();
            for (PolyvalBackend backend : available_backends()) {
                const Bytes sealed = aes256_gcm_siv_encrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(),
                                                            plaintext, aad, backend);
                CHECK(to_hex(sealed) == expected);
                CHECK(aes256_gcm_siv_decrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(), sealed, aad,
                                             backend) == plaintext);
            }
            ++checked;
        }
    }
    CHECK(checked == 26);  // the 24 AES-256 cases of C.2 and the two of C.3
}

TEST_CASE("AES-256-GCM-SIV round-trips messages that span many keystream chunks", "[aes_gcm_siv]") {
    const Bytes key = random_bytes(system_random(), 32);
    const Bytes nonce = random_bytes(system_random(), 12);
    for (std::size_t size : {std::size_t{1}, std::size_t{1023}, std::size_t{1024}, std::size_t{1025}, std::size_t{5000}}) {
        const Bytes plaintext = random_bytes(system_random(), size);
        const Bytes aad = random_bytes(system_random(), size / 3);
        const Bytes sealed = aes256_gcm_siv_encrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(), plaintext,
                                                    aad, PolyvalBackend::portable);
        CHECK(sealed.size() == size + 16);
        CHECK(aes256_gcm_siv_encrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(), plaintext, aad) == sealed);
        CHECK(aes256_gcm_siv_decrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(), sealed, aad) ==
              plaintext);
    }
}

TEST_CASE("AES-256-GCM-SIV decryption refuses anything altered", "[aes_gcm_siv]") {
    const Bytes key = random_bytes(system_random(), 32);
    const Bytes nonce = random_bytes(system_random(), 12);
    const Bytes aad = from_hex("0102030405");
    const Bytes plaintext = from_hex("48656c6c6f2c20776f726c6421");
    const auto k = ByteView(key).first<32>();
    const auto n = ByteView(nonce).first<12>();
    const Bytes sealed = aes256_gcm_siv_encrypt(k, n, plaintext, aad);

    SECTION("every single-bit flip of ciphertext or tag") {
        for (std::size_t bit = 0; bit < sealed.size() * 8; ++bit) {
            Bytes tampered = sealed;
            tampered[bit / 8] = static_cast<std::uint8_t>(tampered[bit / 8] ^ (1u << (bit % 8)));
            require_invalid_message([&] { (void)aes256_gcm_siv_decrypt(k, n, tampered, aad); });
        }
    }
    SECTION("other associated data, nonce or key") {
        Bytes other_aad = aad;
        other_aad.push_back(0);
        require_invalid_message([&] { (void)aes256_gcm_siv_decrypt(k, n, sealed, other_aad); });
        require_invalid_message([&] { (void)aes256_gcm_siv_decrypt(k, n, sealed, {}); });
        Bytes other_nonce = nonce;
        other_nonce[11] ^= 0x80;
        require_invalid_message(
            [&] { (void)aes256_gcm_siv_decrypt(k, ByteView(other_nonce).first<12>(), sealed, aad); });
        Bytes other_key = key;
        other_key[0] ^= 1;
        require_invalid_message(
            [&] { (void)aes256_gcm_siv_decrypt(ByteView(other_key).first<32>(), n, sealed, aad); });
    }
    SECTION("truncated or extended input") {
        for (std::size_t size = 0; size < sealed.size(); ++size) {
            const Bytes truncated(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(size));
            require_invalid_message([&] { (void)aes256_gcm_siv_decrypt(k, n, truncated, aad); });
        }
        Bytes extended = sealed;
        extended.push_back(0);
        require_invalid_message([&] { (void)aes256_gcm_siv_decrypt(k, n, extended, aad); });
    }
    SECTION("the tag alone authenticates an empty plaintext only") {
        const Bytes empty_sealed = aes256_gcm_siv_encrypt(k, n, {}, aad);
        CHECK(empty_sealed.size() == 16);
        CHECK(aes256_gcm_siv_decrypt(k, n, empty_sealed, aad).empty());
        require_invalid_message([&] { (void)aes256_gcm_siv_decrypt(k, n, Bytes(16, 0), aad); });
    }
}

TEST_CASE("the carry-less-multiply backend is refused where the processor lacks it", "[polyval]") {
    const Block key{};
    if (polyval_clmul_available()) {
        CHECK_NOTHROW(Polyval(key, PolyvalBackend::clmul));
    } else {
        CHECK_THROWS_AS(Polyval(key, PolyvalBackend::clmul), Error);
    }
}
