// Category aes_256_ctr: AES-256 in CTR mode with a 128-bit big-endian
// counter (NIST SP 800-38A). Groups of type "CtrTest"; each test gives key,
// iv (the initial counter block), msg and ct. A valid case: encrypting msg
// gives ct and encrypting ct gives msg. An invalid one has a key or counter
// block of the wrong size, which cliquet's types keep from being passed.
#include "crypto/aes.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

void check_ctr_case(const json& group, const json& test) {
    if (string_param(group, "type") != "CtrTest") throw Mismatch("unknown group type");
    const Bytes key = hex_param(test, "key");
    const Bytes iv = hex_param(test, "iv");
    if (!is_valid(test)) {
        // The only refusals CTR has are of sizes. cliquet's AES takes its key
        // and counter block as fixed-extent spans (Aes256Key, AesIv), so no
        // other size can reach it: the case is counted as skipped, by reason.
        const ErrorCode error = error_param(test);
        if (key.size() != 32 && error == ErrorCode::invalid_key)
            throw Skipped("a key that is not 32 bytes: cliquet's AES takes a fixed-extent span, no other size can be passed");
        if (key.size() == 32 && iv.size() != 16 && error == ErrorCode::invalid_argument)
            throw Skipped("a counter block that is not 16 bytes: cliquet's AES takes a fixed-extent span");
        throw Mismatch("an invalid CTR case is a key of the wrong size (invalid_key) or a counter block of the "
                       "wrong size (invalid_argument)");
    }
    if (key.size() != 32 || iv.size() != 16) throw Mismatch("key must be 32 bytes and iv 16");
    const Bytes message = hex_param(test, "msg");
    const Bytes ciphertext = hex_param(test, "ct");
    const auto k = ByteView(key).first<32>();
    const auto v = ByteView(iv).first<16>();
    expect_equal("ct", ciphertext, crypto::aes256_ctr(k, v, message));
    expect_equal("decrypted msg", message, crypto::aes256_ctr(k, v, ciphertext));
}

json generate_ctr() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors aes_256_ctr");
    json tests = json::array();
    for (std::size_t size = 0; size <= 80; size += 5) {
        const Bytes key = random_bytes(random, 32);
        Bytes iv = random_bytes(random, 16);
        // Every other counter starts one block from the top of its low
        // 64 bits, so the carry into the high half is exercised.
        if (size % 10 == 0) std::fill(iv.begin() + 8, iv.end(), std::uint8_t{0xff});
        const Bytes message = random_bytes(random, size);
        json test = test_case("message of " + std::to_string(size) + " bytes", true, {"Cliquet"});
        test["key"] = to_hex(key);
        test["iv"] = to_hex(iv);
        test["msg"] = to_hex(message);
        test["ct"] = to_hex(crypto::aes256_ctr(ByteView(key).first<32>(), ByteView(iv).first<16>(), message));
        tests.push_back(std::move(test));
    }
    json groups = json::array({{{"type", "CtrTest"}, {"tests", std::move(tests)}}});
    return vector_file("aes_256_ctr", "AES-256-CTR", {"CTR encryptions computed by cliquet from a fixed seed."},
                       {{"Cliquet", "Computed by cliquet-vectors generate aes_256_ctr."}}, std::move(groups));
}

const CategoryRegistration registration{"aes_256_ctr", check_ctr_case, generate_ctr,
                                        "AES-256-CTR, 128-bit big-endian counter (SP 800-38A)"};

}  // namespace
}  // namespace cliquet::vectors
