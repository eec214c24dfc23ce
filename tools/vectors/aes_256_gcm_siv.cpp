// Category aes_256_gcm_siv: AES-256-GCM-SIV (RFC 8452).
//
// Groups of type "AeadTest" (keySize 256, ivSize 96, tagSize 128); each test
// gives key, iv (the nonce), aad, msg, ct and tag. A valid case must encrypt
// to ct || tag and decrypt back; an invalid case is a ct || tag that cliquet
// must refuse to decrypt.
#include "crypto/aes_gcm_siv.hpp"
#include "primitive_checks.hpp"

namespace cliquet::vectors {

void check_gcm_siv_vector(const json& test) {
    const Bytes key = hex_param(test, "key");
    const Bytes nonce = hex_param(test, "iv");
    if (key.size() != 32 || nonce.size() != 12) throw Mismatch("key must be 32 bytes and iv 12");
    const auto k = ByteView(key).first<32>();
    const auto n = ByteView(nonce).first<12>();
    const Bytes aad = hex_param(test, "aad");
    Bytes sealed = hex_param(test, "ct");
    const Bytes tag = hex_param(test, "tag");
    sealed.insert(sealed.end(), tag.begin(), tag.end());
    if (is_valid(test)) {
        const Bytes message = hex_param(test, "msg");
        expect_equal("ct || tag", sealed, crypto::aes256_gcm_siv_encrypt(k, n, message, aad));
        expect_equal("decrypted msg", message, crypto::aes256_gcm_siv_decrypt(k, n, sealed, aad));
    } else {
        expect_refused([&] { (void)crypto::aes256_gcm_siv_decrypt(k, n, sealed, aad); }, ErrorCode::invalid_message);
    }
}

namespace {

void check_gcm_siv_case(const json& group, const json& test) {
    if (string_param(group, "type") != "AeadTest") throw Mismatch("unknown group type");
    check_gcm_siv_vector(test);
}

json generate_gcm_siv() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors aes_256_gcm_siv");
    json tests = json::array();
    const std::size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1024, 1040};
    for (std::size_t size : sizes) {
        const Bytes key = random_bytes(random, 32);
        const Bytes nonce = random_bytes(random, 12);
        const Bytes aad = random_bytes(random, size % 23);
        const Bytes message = random_bytes(random, size);
        const Bytes sealed = crypto::aes256_gcm_siv_encrypt(ByteView(key).first<32>(), ByteView(nonce).first<12>(),
                                                            message, aad);
        json test = test_case("message of " + std::to_string(size) + " bytes", true, {"Cliquet"});
        test["key"] = to_hex(key);
        test["iv"] = to_hex(nonce);
        test["aad"] = to_hex(aad);
        test["msg"] = to_hex(message);
        test["ct"] = to_hex(ByteView(sealed).first(size));
        test["tag"] = to_hex(ByteView(sealed).last(crypto::kAesGcmSivTagSize));
        tests.push_back(std::move(test));
    }
    json groups = json::array(
        {{{"type", "AeadTest"}, {"keySize", 256}, {"ivSize", 96}, {"tagSize", 128}, {"tests", std::move(tests)}}});
    return vector_file("aes_256_gcm_siv", "AES-GCM-SIV", {"Encryptions computed by cliquet from a fixed seed."},
                       {{"Cliquet", "Computed by cliquet-vectors generate aes_256_gcm_siv."}}, std::move(groups));
}

const CategoryRegistration registration{"aes_256_gcm_siv", check_gcm_siv_case, generate_gcm_siv,
                                        "AES-256-GCM-SIV (RFC 8452)"};

}  // namespace
}  // namespace cliquet::vectors
