// Three kinds of group per variant:
//   KemTest        seed -> publicKey, secretKey; m -> ciphertext, sharedSecret;
//                  and decapsulation of that ciphertext;
//   KemEncapsTest  publicKey, m -> ciphertext, sharedSecret, or a refusal;
//   KemDecapsTest  secretKey, ciphertext -> sharedSecret, or a refusal.
// Flags name what a case exercises; for an "invalid" case they also name the
// expected error: WrongLength and ModulusCheck and InconsistentKeyHash mean
// invalid_key, except a WrongLength ciphertext, which is invalid_message.
#include "kem.hpp"

#include <stdexcept>
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "crypto/hash.hpp"
#include "crypto/kem/kem.hpp"

namespace cliquet::vectors {
namespace {

using nlohmann::json;
using crypto::kem::KemVariant;
namespace kem = crypto::kem;

constexpr const char* kGeneratorVersion = "cliquet-vectors kem 1";
constexpr int kKnownAnswersPerVariant = 4;

struct VariantInfo {
    KemVariant variant;
    const char* name;
};
constexpr VariantInfo kVariants[] = {
    {KemVariant::kyber1024, "kyber1024"}, {KemVariant::mlkem768, "mlkem768"}, {KemVariant::mlkem1024, "mlkem1024"}};

KemVariant variant_named(const std::string& name) {
    for (const auto& v : kVariants)
        if (name == v.name) return v.variant;
    throw std::runtime_error("unknown KEM variant '" + name + "'");
}

std::string hex_of(ByteView bytes) { return to_hex(bytes); }
Bytes bytes_of(const json& test, const char* field) { return from_hex(test.at(field).get<std::string>()); }

// Sets the first coefficient of t to 3329 = q (12-bit little-endian packing).
Bytes with_unreduced_coefficient(ByteView public_key) {
    Bytes key(public_key.begin(), public_key.end());
    key.at(0) = 0x01;
    key.at(1) = static_cast<std::uint8_t>((key.at(1) & 0xf0) | 0x0d);
    return key;
}

class Generator {
public:
    explicit Generator(const VariantInfo& info)
        : info_(info), random_(crypto::sha256(as_bytes(std::string("cliquet/kem/") + info.name))) {}

    json known_answers() {
        json tests = json::array();
        for (int i = 0; i < kKnownAnswersPerVariant; ++i) {
            const auto pair = next_pair();
            const auto m = draw<32>();
            const auto enc = kem::encapsulate(info_.variant, pair.public_key, m);
            tests.push_back({{"tcId", next_id()}, {"comment", "keygen, encapsulation and decapsulation"},
                             {"seed", last_seed_}, {"publicKey", hex_of(pair.public_key)},
                             {"secretKey", hex_of(pair.secret_key.span())}, {"m", hex_of(m)},
                             {"ciphertext", hex_of(enc.ciphertext)},
                             {"sharedSecret", hex_of(enc.shared_secret.span())}, {"result", "valid"},
                             {"flags", {"KnownAnswer"}}});
        }
        return group("KemTest", tests);
    }

    json encapsulation_cases() {
        json tests = json::array();
        const auto pair = next_pair();
        const auto m = draw<32>();
        const ByteView pk = pair.public_key;
        tests.push_back(invalid_encaps(pk.first(pk.size() - 1), m, "public key one byte short", "WrongLength"));
        Bytes longer(pk.begin(), pk.end());
        longer.push_back(0);
        tests.push_back(invalid_encaps(longer, m, "public key one byte long", "WrongLength"));
        const Bytes unreduced = with_unreduced_coefficient(pk);
        if (kem::params(info_.variant).fips203) {
            tests.push_back(invalid_encaps(unreduced, m, "a coefficient of t equals q", "ModulusCheck"));
        } else {
            // Kyber round 3 has no modulus check: the coefficient counts mod q.
            const auto enc = kem::encapsulate(info_.variant, unreduced, m);
            tests.push_back({{"tcId", next_id()}, {"comment", "a coefficient of t equals q (no check in Kyber)"},
                             {"publicKey", hex_of(unreduced)}, {"m", hex_of(m)},
                             {"ciphertext", hex_of(enc.ciphertext)},
                             {"sharedSecret", hex_of(enc.shared_secret.span())}, {"result", "valid"},
                             {"flags", {"UnreducedCoefficient"}}});
        }
        return group("KemEncapsTest", tests);
    }

    json decapsulation_cases() {
        json tests = json::array();
        const auto pair = next_pair();
        const ByteView sk = pair.secret_key.span();
        const auto enc = kem::encapsulate(info_.variant, pair.public_key, draw<32>());
        for (std::size_t position : {std::size_t{0}, enc.ciphertext.size() - 1}) {
            Bytes corrupted = enc.ciphertext;
            corrupted[position] ^= 0x01;
            const auto rejected = kem::decapsulate(info_.variant, sk, corrupted);
            tests.push_back(decaps_case(sk, corrupted, "ciphertext with a flipped bit: implicit rejection",
                                        "valid", "ImplicitRejection", hex_of(rejected.span())));
        }
        const ByteView ct = enc.ciphertext;
        tests.push_back(decaps_case(sk, ct.first(ct.size() - 1), "ciphertext one byte short", "invalid",
                                    "WrongLength"));
        tests.push_back(decaps_case(sk.first(sk.size() - 1), ct, "secret key one byte short", "invalid",
                                    "WrongLength"));
        Bytes inconsistent(sk.begin(), sk.end());
        inconsistent[inconsistent.size() - 64] ^= 0x01;  // first byte of H(ek)
        if (kem::params(info_.variant).fips203) {
            tests.push_back(decaps_case(inconsistent, ct, "secret key with a wrong H(ek)", "invalid",
                                        "InconsistentKeyHash"));
        } else {
            const auto secret = kem::decapsulate(info_.variant, inconsistent, ct);
            tests.push_back(decaps_case(inconsistent, ct, "secret key with a wrong H(ek) (no check in Kyber)",
                                        "valid", "InconsistentKeyHash", hex_of(secret.span())));
        }
        return group("KemDecapsTest", tests);
    }

    static int count_tests(const json& groups) {
        int n = 0;
        for (const auto& g : groups) n += static_cast<int>(g.at("tests").size());
        return n;
    }

private:
    template <std::size_t N>
    std::array<std::uint8_t, N> draw() {
        std::array<std::uint8_t, N> out{};
        random_.fill(out);
        return out;
    }

    kem::KemKeyPair next_pair() {
        const auto seed = draw<64>();
        last_seed_ = hex_of(seed);
        return kem::keygen(info_.variant, seed);
    }

    int next_id() { return ++id_; }

    json group(const char* type, json tests) const {
        return {{"type", type}, {"variant", info_.name}, {"tests", std::move(tests)}};
    }

    json invalid_encaps(ByteView pk, ByteView m, const char* comment, const char* flag) {
        return {{"tcId", next_id()}, {"comment", comment}, {"publicKey", hex_of(pk)}, {"m", hex_of(m)},
                {"result", "invalid"}, {"flags", {flag}}};
    }

    json decaps_case(ByteView sk, ByteView ct, const char* comment, const char* result, const char* flag,
                     const std::string& shared = {}) {
        json test = {{"tcId", next_id()}, {"comment", comment}, {"secretKey", hex_of(sk)},
                     {"ciphertext", hex_of(ct)}, {"result", result}, {"flags", {flag}}};
        if (!shared.empty()) test["sharedSecret"] = shared;
        return test;
    }

    VariantInfo info_;
    DeterministicRandom random_;
    std::string last_seed_;
    int id_ = 0;
};

[[noreturn]] void mismatch(const json& test, const std::string& what) {
    throw std::runtime_error("tcId " + std::to_string(test.at("tcId").get<int>()) + ": " + what);
}

void expect_equal(const json& test, const char* field, ByteView actual) {
    if (to_hex(actual) != test.at(field).get<std::string>()) mismatch(test, std::string(field) + " differs");
}

ErrorCode expected_error(const json& group, const json& test) {
    const bool ciphertext_length = group.at("type") == "KemDecapsTest" && test.contains("ciphertext") &&
                                   test.at("flags").at(0) == "WrongLength" &&
                                   bytes_of(test, "ciphertext").size() !=
                                       kem::ciphertext_size(variant_named(group.at("variant")));
    return ciphertext_length ? ErrorCode::invalid_message : ErrorCode::invalid_key;
}

}  // namespace

json generate_kem() {
    json groups = json::array();
    for (const auto& info : kVariants) {
        Generator generator(info);
        groups.push_back(generator.known_answers());
        groups.push_back(generator.encapsulation_cases());
        groups.push_back(generator.decapsulation_cases());
    }
    return {
        {"algorithm", "KEM"},
        {"schema", "kem_test_schema.json"},
        {"generatorVersion", kGeneratorVersion},
        {"numberOfTests", Generator::count_tests(groups)},
        {"header",
         {"Kyber1024 (CRYSTALS-Kyber round 3, libsignal key type 0x08), ML-KEM-768 and ML-KEM-1024 (FIPS 203).",
          "Keys and ciphertexts are raw, without libsignal's type byte. seed is d || z; m is the encapsulation",
          "message before any hashing. Inputs come from cliquet's DeterministicRandom seeded with",
          "SHA-256(\"cliquet/kem/<variant>\"); the implementation itself is checked against NIST and",
          "C2SP known answers in tests/kem_*_test.cpp."}},
        {"notes",
         {{"KnownAnswer", "keygen from seed, encapsulation of m, decapsulation of the result"},
          {"ImplicitRejection",
           "a well-formed ciphertext that does not re-encrypt: decapsulation succeeds with the rejection secret, "
           "J(z || c) for ML-KEM, SHAKE256(z || SHA3-256(c)) for Kyber round 3"},
          {"WrongLength", "a key (invalid_key) or ciphertext (invalid_message) of the wrong length"},
          {"ModulusCheck", "ML-KEM encapsulation key with a coefficient >= q (FIPS 203 7.2): invalid_key"},
          {"UnreducedCoefficient", "the same key for Kyber round 3, which reads the coefficient mod q"},
          {"InconsistentKeyHash",
           "decapsulation key whose H(ek) does not match ek: invalid_key for ML-KEM (FIPS 203 7.3); "
           "Kyber round 3 does not check"}}},
        {"testGroups", groups},
    };
}

void check_kem_case(const json& group, const json& test) {
    const KemVariant variant = variant_named(group.at("variant").get<std::string>());
    const std::string type = group.at("type").get<std::string>();
    const bool valid = test.at("result") == "valid";
    try {
        if (type == "KemTest") {
            const Bytes seed = bytes_of(test, "seed");
            if (seed.size() != kem::kSeedSize) mismatch(test, "seed is not 64 bytes");
            const auto pair = kem::keygen(variant, std::span<const std::uint8_t>(seed).first<kem::kSeedSize>());
            expect_equal(test, "publicKey", pair.public_key);
            expect_equal(test, "secretKey", pair.secret_key.span());
        }
        if (type == "KemTest" || type == "KemEncapsTest") {
            const Bytes m = bytes_of(test, "m");
            if (m.size() != kem::kMessageSize) mismatch(test, "m is not 32 bytes");
            const auto enc = kem::encapsulate(variant, bytes_of(test, "publicKey"),
                                              std::span<const std::uint8_t>(m).first<kem::kMessageSize>());
            if (!valid) mismatch(test, "encapsulation accepted an invalid input");
            expect_equal(test, "ciphertext", enc.ciphertext);
            expect_equal(test, "sharedSecret", enc.shared_secret.span());
        }
        if (type == "KemTest" || type == "KemDecapsTest") {
            const auto secret = kem::decapsulate(variant, bytes_of(test, "secretKey"), bytes_of(test, "ciphertext"));
            if (!valid) mismatch(test, "decapsulation accepted an invalid input");
            expect_equal(test, "sharedSecret", secret.span());
        }
        if (type != "KemTest" && type != "KemEncapsTest" && type != "KemDecapsTest")
            throw std::runtime_error("unknown group type '" + type + "'");
    } catch (const Error& e) {
        if (valid) mismatch(test, std::string("refused a valid case: ") + e.what());
        if (e.code() != expected_error(group, test))
            mismatch(test, std::string("refused with the wrong error: ") + e.what());
    }
}

}  // namespace cliquet::vectors
