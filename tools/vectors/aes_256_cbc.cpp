// Category aes_256_cbc: AES-256 in CBC mode.
//
// Groups of type "CbcTest" say "padding": "pkcs7" (the protocol's mode) or
// "none" (NIST SP 800-38A's). Each test gives key, iv, msg and ct. A valid
// case must encrypt msg to ct and decrypt ct to msg; an invalid case is a
// ciphertext cliquet must refuse to decrypt (bad padding, not whole blocks).
#include "crypto/aes.hpp"
#include "primitive_checks.hpp"

namespace cliquet::vectors {

void check_cbc_vector(const json& test, bool padded) {
    const Bytes key = hex_param(test, "key");
    const Bytes iv = hex_param(test, "iv");
    if (key.size() != 32 || iv.size() != 16) throw Mismatch("key must be 32 bytes and iv 16");
    const auto k = ByteView(key).first<32>();
    const auto v = ByteView(iv).first<16>();
    const Bytes ciphertext = hex_param(test, "ct");
    auto decrypt = [&] {
        return padded ? crypto::aes256_cbc_decrypt(k, v, ciphertext) : crypto::aes256_cbc_decrypt_unpadded(k, v, ciphertext);
    };
    if (is_valid(test)) {
        const Bytes message = hex_param(test, "msg");
        const Bytes encrypted =
            padded ? crypto::aes256_cbc_encrypt(k, v, message) : crypto::aes256_cbc_encrypt_unpadded(k, v, message);
        expect_equal("ct", ciphertext, encrypted);
        expect_equal("decrypted msg", message, decrypt());
    } else {
        expect_refused([&] { (void)decrypt(); }, ErrorCode::invalid_message);
    }
}

namespace {

void check_cbc_case(const json& group, const json& test) {
    if (string_param(group, "type") != "CbcTest") throw Mismatch("unknown group type");
    const std::string padding = string_param(group, "padding");
    if (padding != "pkcs7" && padding != "none") throw Mismatch("padding must be pkcs7 or none");
    check_cbc_vector(test, padding == "pkcs7");
}

json generate_cbc() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors aes_256_cbc");
    json tests = json::array();
    for (std::size_t size = 0; size <= 48; size += 3) {
        const Bytes key = random_bytes(random, 32);
        const Bytes iv = random_bytes(random, 16);
        const Bytes message = random_bytes(random, size);
        json test = test_case("message of " + std::to_string(size) + " bytes", true, {"Cliquet"});
        test["key"] = to_hex(key);
        test["iv"] = to_hex(iv);
        test["msg"] = to_hex(message);
        test["ct"] = to_hex(crypto::aes256_cbc_encrypt(ByteView(key).first<32>(), ByteView(iv).first<16>(), message));
        tests.push_back(std::move(test));
    }
    json groups = json::array({{{"type", "CbcTest"}, {"padding", "pkcs7"}, {"tests", std::move(tests)}}});
    return vector_file("aes_256_cbc", "AES-256-CBC", {"PKCS#7-padded encryptions computed by cliquet from a fixed seed."},
                       {{"Cliquet", "Computed by cliquet-vectors generate aes_256_cbc."}}, std::move(groups));
}

const CategoryRegistration registration{"aes_256_cbc", check_cbc_case, generate_cbc,
                                        "AES-256-CBC with PKCS#7 padding or none (SP 800-38A)"};

}  // namespace
}  // namespace cliquet::vectors
