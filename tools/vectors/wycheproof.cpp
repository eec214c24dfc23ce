// Project Wycheproof's own files (test_vectors/wycheproof/), read in their
// format as published: X25519, HMAC-SHA256, HKDF-SHA256, AES-CBC-PKCS5 and
// AES-GCM-SIV here, ML-KEM in wycheproof_mlkem.cpp. Every case runs through
// the wrappers the protocol uses; a case needing what cliquet does not have
// (an AES key of 128 or 192 bits) is skipped with that reason.
//
// "acceptable" appears only in the X25519 file. cliquet's documented policy
// (test_vectors/README.md, x25519) decides it: an agreement whose result
// would be all zeros (a public key of small order, on the curve or its
// twist) is refused with invalid_key; any other input is computed as RFC
// 7748 says (bit 255 ignored, u >= p reduced) and must give `shared`.
#include <algorithm>

#include "cliquet/keys.hpp"
#include "crypto/hash.hpp"
#include "primitive_checks.hpp"

namespace cliquet::vectors {
namespace {

// Wycheproof's files are read, never written: these categories generate nothing.
const GenerateFunction kReadOnly{};

void expect_group_type(const json& group, std::string_view type) {
    if (string_param(group, "type") != type) throw Mismatch("unknown group type " + string_param(group, "type"));
}

// cliquet's AES is AES-256 alone: the protocol uses nothing else.
void require_aes_256(const json& group) {
    const std::uint64_t bits = uint_param(group, "keySize");
    if (bits != 256) throw Skipped("AES-" + std::to_string(bits) + ": cliquet has AES-256 only");
}

void check_xdh(const json& group, const json& test) {
    expect_group_type(group, "XdhComp");
    if (string_param(group, "curve") != "curve25519") throw Skipped("XDH on a curve other than curve25519");
    const Bytes private_bytes = hex_param(test, "private");
    const Bytes public_bytes = hex_param(test, "public");
    const Bytes shared = hex_param(test, "shared");
    if (private_bytes.size() != 32 || public_bytes.size() != 32)
        throw Mismatch("private and public must be 32 bytes");
    std::array<std::uint8_t, 32> u{};
    std::copy(public_bytes.begin(), public_bytes.end(), u.begin());
    const PrivateKey key = PrivateKey::deserialize(private_bytes);
    const PublicKey peer = PublicKey::from_montgomery(u);
    const Verdict verdict = expected_verdict(test);
    if (verdict == Verdict::invalid) {
        expect_refused([&] { (void)key.agree(peer); }, ErrorCode::invalid_key);
        return;
    }
    const bool all_zero = std::all_of(shared.begin(), shared.end(), [](std::uint8_t b) { return b == 0; });
    if (verdict == Verdict::acceptable && all_zero) {
        expect_refused([&] { (void)key.agree(peer); }, ErrorCode::invalid_key);
        return;
    }
    if (all_zero) throw Mismatch("a valid case with an all-zero secret contradicts cliquet's policy");
    expect_equal("shared", shared, key.agree(peer).span());
}

void check_mac(const json& group, const json& test) {
    expect_group_type(group, "MacTest");
    const std::uint64_t tag_bits = uint_param(group, "tagSize");
    if (tag_bits == 0 || tag_bits > 256 || tag_bits % 8 != 0) throw Mismatch("tagSize must be 8..256 bits, whole bytes");
    const Bytes key = hex_param(test, "key");
    if (key.size() * 8 != uint_param(group, "keySize")) throw Mismatch("key is not keySize bits");
    const Bytes tag = hex_param(test, "tag");
    const auto mac = crypto::hmac_sha256(key, hex_param(test, "msg"));
    const ByteView computed = ByteView(mac).first(tag_bits / 8);
    if (is_valid(test)) {
        expect_equal("tag", tag, computed);
    } else if (constant_time_equal(computed, tag)) {
        throw Mismatch("cliquet accepted the tag");
    }
}

void check_hkdf(const json& group, const json& test) {
    expect_group_type(group, "HkdfTest");
    check_hkdf_vector(test);
}

void check_cbc_pkcs5(const json& group, const json& test) {
    expect_group_type(group, "IndCpaTest");
    require_aes_256(group);
    check_cbc_vector(test, /*padded=*/true);
}

void check_gcm_siv(const json& group, const json& test) {
    expect_group_type(group, "AeadTest");
    require_aes_256(group);
    if (uint_param(group, "ivSize") != 96 || uint_param(group, "tagSize") != 128)
        throw Mismatch("AES-GCM-SIV has a 96-bit nonce and a 128-bit tag");
    check_gcm_siv_vector(test);
}

const CategoryRegistration xdh{"wycheproof/XDH", check_xdh, kReadOnly,
                               "Wycheproof x25519_test.json (XdhComp); acceptable cases by cliquet's policy"};
const CategoryRegistration mac{"wycheproof/HMACSHA256", check_mac, kReadOnly,
                               "Wycheproof hmac_sha256_test.json (MacTest)"};
const CategoryRegistration hkdf{"wycheproof/HKDF-SHA-256", check_hkdf, kReadOnly,
                                "Wycheproof hkdf_sha256_test.json (HkdfTest)"};
const CategoryRegistration cbc{"wycheproof/AES-CBC-PKCS5", check_cbc_pkcs5, kReadOnly,
                               "Wycheproof aes_cbc_pkcs5_test.json (IndCpaTest), 256-bit keys"};
const CategoryRegistration gcm_siv{"wycheproof/AES-GCM-SIV", check_gcm_siv, kReadOnly,
                                   "Wycheproof aes_gcm_siv_test.json (AeadTest), 256-bit keys"};

}  // namespace
}  // namespace cliquet::vectors
