// Category x25519: X25519 agreement through cliquet's public key API.
//
// Groups of type "X25519Agreement" give a private scalar, the peer's public
// key in libsignal's 33-byte form (05 || u, any u) and the shared secret. A
// small-order key is "acceptable" (RFC 7748 computes zeros; cliquet's policy
// refuses it with invalid_key, as the case's error says). Groups of type
// "X25519Iterated" repeat RFC 7748 §5.2's k, u = X25519(k, u), k.
#include "cliquet/keys.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

// Enough for RFC 7748's 1000-iteration answer; its million-iteration one
// takes minutes and stays out of the files.
constexpr std::uint64_t kMaxIterations = 100'000;

std::array<std::uint8_t, 32> exactly_32(const Bytes& bytes, std::string_view what) {
    if (bytes.size() != 32) throw Mismatch(std::string(what) + " must be 32 bytes");
    std::array<std::uint8_t, 32> out;
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

void check_x25519_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    const Bytes private_bytes = hex_param(test, "private");
    const PublicKey public_key = PublicKey::deserialize(hex_param(test, "public"));
    const auto public_u = public_key.montgomery();
    exactly_32(private_bytes, "private");

    if (type == "X25519Agreement") {
        const PrivateKey key = PrivateKey::deserialize(private_bytes);
        const PublicKey& peer = public_key;
        const Verdict verdict = expected_verdict(test);
        if (verdict == Verdict::acceptable && !has_flag(test, "SmallOrderPublic"))
            throw Mismatch("an acceptable X25519 case must be flagged SmallOrderPublic");
        if (verdict == Verdict::valid) {
            expect_equal("shared", hex_param(test, "shared"), key.agree(peer).span());
        } else {
            expect_refused([&] { (void)key.agree(peer); }, error_param(test));
        }
    } else if (type == "X25519Iterated") {
        const std::uint64_t iterations = uint_param(test, "iterations");
        if (iterations == 0 || iterations > kMaxIterations) throw Mismatch("iterations out of range");
        if (!is_valid(test)) throw Mismatch("X25519Iterated has no invalid cases");
        Bytes k = private_bytes;
        std::array<std::uint8_t, 32> u{};
        std::copy(public_u.begin(), public_u.end(), u.begin());
        for (std::uint64_t i = 0; i < iterations; ++i) {
            const auto shared = PrivateKey::deserialize(k).agree(PublicKey::from_montgomery(u));
            std::copy(k.begin(), k.end(), u.begin());
            k.assign(shared.data(), shared.data() + 32);
        }
        expect_equal("shared", hex_param(test, "shared"), k);
    } else {
        throw Mismatch("unknown group type " + type);
    }
}

json generate_x25519() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors x25519");
    json tests = json::array();
    for (int i = 0; i < 24; ++i) {
        const Bytes a = random_bytes(random, 32);
        const auto b = KeyPair::generate(random);
        const PrivateKey key = PrivateKey::deserialize(a);
        json test = test_case("agreement with a key pair from a fixed seed", true, {"Cliquet"});
        test["private"] = to_hex(a);
        test["public"] = to_hex(b.public_key.serialize());
        test["shared"] = to_hex(key.agree(b.public_key).span());
        tests.push_back(std::move(test));
    }
    json groups = json::array({{{"type", "X25519Agreement"}, {"curve", "curve25519"}, {"tests", std::move(tests)}}});
    return vector_file("x25519", "X25519", {"Agreements computed by cliquet from a fixed seed."},
                       {{"Cliquet", "Computed by cliquet-vectors generate x25519."}}, std::move(groups));
}

const CategoryRegistration registration{"x25519", check_x25519_case, generate_x25519,
                                        "X25519 agreement (RFC 7748); small-order keys refused"};

}  // namespace
}  // namespace cliquet::vectors
