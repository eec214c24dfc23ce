// Category hkdf_sha256: HKDF-SHA256 (RFC 5869).
//
// Groups of type "HkdfTest"; each test gives ikm, salt (empty means absent,
// i.e. HashLen zeros), info, size in bytes and okm. An invalid case asks for
// more than 255 * 32 bytes, which cliquet refuses.
#include "crypto/hash.hpp"
#include "primitive_checks.hpp"

namespace cliquet::vectors {
namespace {

// The checker allocates the requested output; beyond this it declines
// rather than trust a file with its memory.
constexpr std::uint64_t kMaxCheckedSize = 1u << 20;

}  // namespace

void check_hkdf_vector(const json& test) {
    const Bytes ikm = hex_param(test, "ikm");
    const Bytes salt = hex_param(test, "salt");
    const Bytes info = hex_param(test, "info");
    const std::uint64_t size = uint_param(test, "size");
    if (size > kMaxCheckedSize) {
        // cliquet's HKDF writes into the caller's buffer, so it can only be
        // asked for what the checker allocates.
        if (!is_valid(test) && (!test.contains("error") || error_param(test) == ErrorCode::invalid_argument))
            throw Skipped("an output over 1 MiB: cliquet's HKDF fills a caller's buffer of that size, which the "
                          "checker does not allocate");
        throw Mismatch("size is beyond what the checker allocates");
    }
    Bytes okm(static_cast<std::size_t>(size));
    if (is_valid(test)) {
        crypto::hkdf_sha256(okm, ikm, salt, info);
        expect_equal("okm", hex_param(test, "okm"), okm);
    } else {
        expect_refused([&] { crypto::hkdf_sha256(okm, ikm, salt, info); }, ErrorCode::invalid_argument);
    }
}

namespace {

void check_hkdf_case(const json& group, const json& test) {
    if (string_param(group, "type") != "HkdfTest") throw Mismatch("unknown group type");
    check_hkdf_vector(test);
}

json generate_hkdf() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors hkdf_sha256");
    json tests = json::array();
    // Sizes around one and many SHA-256 blocks, up to the RFC's maximum.
    const std::size_t sizes[] = {1, 31, 32, 33, 64, 80, 255, 8160};
    for (std::size_t size : sizes) {
        for (const std::size_t salt_size : {std::size_t{0}, std::size_t{32}}) {
            const Bytes ikm = random_bytes(random, 32);
            const Bytes salt = random_bytes(random, salt_size);
            const Bytes info = random_bytes(random, size % 17);
            Bytes okm(size);
            crypto::hkdf_sha256(okm, ikm, salt, info);
            json test = test_case(std::to_string(size) + " bytes" + (salt.empty() ? ", no salt" : ""), true,
                                  {"Cliquet"});
            test["ikm"] = to_hex(ikm);
            test["salt"] = to_hex(salt);
            test["info"] = to_hex(info);
            test["size"] = size;
            test["okm"] = to_hex(okm);
            tests.push_back(std::move(test));
        }
    }
    json groups = json::array({{{"type", "HkdfTest"}, {"tests", std::move(tests)}}});
    return vector_file("hkdf_sha256", "HKDF-SHA-256", {"HKDF outputs computed by cliquet from a fixed seed."},
                       {{"Cliquet", "Computed by cliquet-vectors generate hkdf_sha256."}}, std::move(groups));
}

const CategoryRegistration registration{"hkdf_sha256", check_hkdf_case, generate_hkdf,
                                        "HKDF-SHA256 (RFC 5869); outputs over 8160 bytes refused"};

}  // namespace
}  // namespace cliquet::vectors
