// Checks one of cliquet's published test-vector files through the public API
// alone, saying what it does for each case: how a reviewer (or another
// implementation) reads test_vectors/*.json.
//
//   cliquet-verify-vectors test_vectors/x25519.json
//   cliquet-verify-vectors test_vectors/xeddsa.json
//
// Every case says "valid" (the operation must succeed and give exactly the
// expected bytes), "invalid" (it must be refused with the cliquet error its
// "error" names) or "acceptable" (a matter of policy, named by its flags:
// with an "error", cliquet's policy refuses it with that error; without one,
// it must succeed like a valid case). The program prints one
// line per case, then "N passed, M failed", and exits non-zero if any case
// failed or the file could not be read. cliquet-vectors checks every category;
// this walk-through covers the two that keys.hpp alone can check.
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <span>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include <cliquet/cliquet.hpp>

namespace {

using nlohmann::json;
using namespace cliquet;

// A case that did not go as its file says it must.
struct Unexpected : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An operation that refused its input without throwing (verify says false).
struct Refused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Bytes hex_field(const json& test, const char* name) { return from_hex(test.at(name).get<std::string>()); }

std::span<const std::uint8_t, 32> exactly_32(const Bytes& bytes, const char* what) {
    if (bytes.size() != 32) throw Unexpected(std::string(what) + " is not 32 bytes");
    return std::span<const std::uint8_t, 32>(bytes.data(), 32);
}

void expect_equal(const char* what, ByteView expected, ByteView actual) {
    if (!constant_time_equal(expected, actual))
        throw Unexpected(std::string(what) + " is " + to_hex(actual) + ", expected " + to_hex(expected));
}

// RandomSource is an interface: a signer that must reproduce a published
// signature is handed exactly the random bytes the file names.
class RecordedRandom final : public RandomSource {
public:
    explicit RecordedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
    void fill(std::span<std::uint8_t> out) override {
        if (out.size() > bytes_.size() - used_) throw Unexpected("the signer asked for more random bytes than recorded");
        for (auto& byte : out) byte = bytes_[used_++];
    }

private:
    Bytes bytes_;
    std::size_t used_ = 0;
};

// X25519: PrivateKey::agree with the peer's public key, in libsignal's
// 33-byte form (05 || u) as every file gives X25519 public keys. Returns what
// was checked, for the report.
std::string check_x25519(const std::string& type, const json& test) {
    const Bytes private_bytes = hex_field(test, "private");
    const PublicKey peer = PublicKey::deserialize(hex_field(test, "public"));
    if (type == "X25519Agreement") {
        const auto shared = PrivateKey::deserialize(private_bytes).agree(peer);
        expect_equal("shared secret", hex_field(test, "shared"), shared.span());
        return "agreement gives the expected shared secret";
    }
    if (type == "X25519Iterated") {
        // RFC 7748 section 5.2: k, u = X25519(k, u), k, `iterations` times.
        Bytes k = private_bytes;
        Bytes u(peer.montgomery().begin(), peer.montgomery().end());
        const auto iterations = test.at("iterations").get<unsigned>();
        for (unsigned i = 0; i < iterations; ++i) {
            const auto shared = PrivateKey::deserialize(k).agree(PublicKey::from_montgomery(exactly_32(u, "u")));
            u = k;
            k.assign(shared.data(), shared.data() + shared.size());
        }
        expect_equal("k", hex_field(test, "shared"), k);
        return std::to_string(iterations) + (iterations == 1 ? " iteration gives" : " iterations give") + " the expected k";
    }
    throw Unexpected("unknown group type " + type);
}

// XEdDSA: PublicKey::verify, and for signing cases PrivateKey::sign with the
// recorded randomness.
std::string check_xeddsa(const std::string& type, const json& test) {
    const PublicKey key = PublicKey::deserialize(hex_field(test, "publicKey"));
    const Bytes message = hex_field(test, "msg");
    const Bytes signature = hex_field(test, "sig");
    if (type == "XeddsaSign") {
        const PrivateKey private_key = PrivateKey::deserialize(hex_field(test, "privateKey"));
        expect_equal("public key", key.serialize(), private_key.public_key().serialize());
        RecordedRandom random(hex_field(test, "random"));
        expect_equal("signature", signature, private_key.sign(message, random));
    } else if (type != "XeddsaVerify") {
        throw Unexpected("unknown group type " + type);
    }
    if (!key.verify(message, signature)) throw Refused("the signature does not verify");
    return type == "XeddsaSign" ? "signing gives the expected signature, which verifies" : "signature verifies";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " test_vectors/x25519.json | test_vectors/xeddsa.json\n";
        return 2;
    }
    json file;
    try {
        std::ifstream in(argv[1]);
        if (!in) throw std::runtime_error("cannot open the file");
        file = json::parse(in);
    } catch (const std::exception& e) {
        std::cerr << argv[1] << ": " << e.what() << "\n";
        return 1;
    }

    const auto category = file.value("category", std::string());
    if (category != "x25519" && category != "xeddsa") {
        std::cerr << argv[1] << ": category \"" << category << "\" is not one this walk-through checks "
                  << "(x25519, xeddsa); cliquet-vectors verify checks them all\n";
        return 1;
    }
    std::cout << argv[1] << ": " << file.value("algorithm", category) << ", " << file.value("numberOfTests", 0)
              << " cases announced\n";

    int passed = 0;
    int failed = 0;
    for (const json& group : file.at("testGroups")) {
        const auto type = group.at("type").get<std::string>();
        std::cout << "group " << type << ", " << group.at("tests").size() << " cases\n";
        for (const json& test : group.at("tests")) {
            const auto result = test.at("result").get<std::string>();
            const std::string error = test.value("error", std::string());
            // Must the operation succeed? A valid case, or an acceptable one
            // whose policy is to accept (no error named).
            const bool valid = result == "valid" || (result == "acceptable" && error.empty());
            const auto label = "  #" + std::to_string(test.at("tcId").get<int>()) + " " + result + ": " +
                               test.value("comment", std::string()) + ": ";
            try {
                const std::string what = category == "x25519" ? check_x25519(type, test) : check_xeddsa(type, test);
                if (valid) {
                    std::cout << label << what << "\n";
                    ++passed;
                } else {
                    std::cout << label << "FAILED: accepted (" << what << "), must be refused\n";
                    ++failed;
                }
            } catch (const Error& e) {
                // cliquet refuses with a typed error: right for an invalid case only.
                if (valid) {
                    std::cout << label << "FAILED: refused with " << to_string(e.code()) << ": " << e.what() << "\n";
                    ++failed;
                } else if (to_string(e.code()) != error) {
                    std::cout << label << "FAILED: refused with " << to_string(e.code()) << ", not " << error << "\n";
                    ++failed;
                } else {
                    std::cout << label << "refused with " << error << ", as it must be\n";
                    ++passed;
                }
            } catch (const Refused& e) {
                if (valid) {
                    std::cout << label << "FAILED: " << e.what() << "\n";
                    ++failed;
                } else if (error != "invalid_signature") {
                    // A signature that does not verify is cliquet's invalid_signature.
                    std::cout << label << "FAILED: refused (" << e.what() << "), not with " << error << "\n";
                    ++failed;
                } else {
                    std::cout << label << "refused (" << e.what() << ": invalid_signature), as it must be\n";
                    ++passed;
                }
            } catch (const std::exception& e) {
                // A wrong answer, or a case this program cannot read.
                std::cout << label << "FAILED: " << e.what() << "\n";
                ++failed;
            }
        }
    }

    if (passed + failed != file.value("numberOfTests", -1)) {
        std::cout << "the file announces " << file.value("numberOfTests", -1) << " cases but holds "
                  << passed + failed << "\n";
        ++failed;
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
