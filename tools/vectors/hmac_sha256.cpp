// Category hmac_sha256: HMAC-SHA256 (RFC 2104), optionally truncated.
//
// Groups of type "MacTest" give "tagSize" in bits; each test a key, a
// message and the first tagSize/8 bytes of the MAC. An invalid case is a tag
// that cliquet's constant-time comparison must reject.
#include "crypto/hash.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

void check_hmac_case(const json& group, const json& test) {
    if (string_param(group, "type") != "MacTest") throw Mismatch("unknown group type");
    const std::uint64_t tag_bits = uint_param(group, "tagSize");
    if (tag_bits == 0 || tag_bits > 256 || tag_bits % 8 != 0) throw Mismatch("tagSize must be 8..256 bits, whole bytes");
    const Bytes key = hex_param(test, "key");
    const Bytes message = hex_param(test, "msg");
    const Bytes tag = hex_param(test, "tag");
    const auto mac = crypto::hmac_sha256(key, message);
    const ByteView computed = ByteView(mac).first(tag_bits / 8);
    const bool matches = constant_time_equal(computed, tag);
    if (is_valid(test)) {
        if (tag.size() != computed.size()) throw Mismatch("tag is not tagSize bits");
        expect_equal("tag", tag, computed);
    } else {
        // A MAC that does not match is what cliquet refuses messages with.
        if (error_param(test) != ErrorCode::invalid_message) throw Mismatch("a wrong tag is invalid_message");
        if (matches) throw Mismatch("cliquet accepted the tag");
    }
}

json generate_hmac() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors hmac_sha256");
    json tests = json::array();
    const std::size_t key_sizes[] = {0, 1, 16, 32, 63, 64, 65, 100, 131};
    const std::size_t message_sizes[] = {0, 1, 55, 56, 64, 65, 200};
    for (std::size_t key_size : key_sizes) {
        for (std::size_t message_size : message_sizes) {
            const Bytes key = random_bytes(random, key_size);
            const Bytes message = random_bytes(random, message_size);
            json test = test_case("key of " + std::to_string(key_size) + " bytes, message of " +
                                      std::to_string(message_size),
                                  true, {"Cliquet"});
            test["key"] = to_hex(key);
            test["msg"] = to_hex(message);
            test["tag"] = to_hex(crypto::hmac_sha256(key, message));
            tests.push_back(std::move(test));
        }
    }
    json groups = json::array({{{"type", "MacTest"}, {"tagSize", 256}, {"tests", std::move(tests)}}});
    return vector_file("hmac_sha256", "HMACSHA256", {"MACs computed by cliquet from a fixed seed, around the block-size boundaries."},
                       {{"Cliquet", "Computed by cliquet-vectors generate hmac_sha256."}}, std::move(groups));
}

const CategoryRegistration registration{"hmac_sha256", check_hmac_case, generate_hmac,
                                        "HMAC-SHA256 (RFC 2104, RFC 4231), full and truncated tags"};

}  // namespace
}  // namespace cliquet::vectors
