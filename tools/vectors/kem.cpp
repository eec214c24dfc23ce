// Three kinds of group per variant:
//   KemTest        seed -> publicKey, secretKey; m -> ciphertext, sharedSecret;
//                  and decapsulation of that ciphertext;
//   KemEncapsTest  publicKey, m -> ciphertext, sharedSecret, or a refusal;
//   KemDecapsTest  secretKey, ciphertext -> sharedSecret, or a refusal.
// Flags name what a case exercises; every "invalid" case names its error.
// Keys and ciphertexts are in the one form each key type has everywhere in
// the vectors: libsignal's typed form (08 Kyber1024, 0a ML-KEM-1024, then the
// raw bytes) where libsignal types them, raw for ML-KEM-768, which libsignal
// only carries inside SPQR, untyped.
#include "kem.hpp"

#include <stdexcept>
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "registry.hpp"
#include "crypto/hash.hpp"
#include "crypto/kem/kem.hpp"

namespace cliquet::vectors {
namespace {

using nlohmann::json;
using crypto::kem::KemVariant;
namespace kem = crypto::kem;

constexpr int kKnownAnswersPerVariant = 4;

struct VariantInfo {
    KemVariant variant;
    const char* name;
    int type_byte;  // libsignal's, or -1: untyped
};
constexpr VariantInfo kVariants[] = {{KemVariant::kyber1024, "kyber1024", 0x08},
                                     {KemVariant::mlkem768, "mlkem768", -1},
                                     {KemVariant::mlkem1024, "mlkem1024", 0x0a}};

const VariantInfo& info_named(const std::string& name) {
    for (const auto& v : kVariants)
        if (name == v.name) return v;
    throw Mismatch("unknown KEM variant '" + name + "'");
}

// The form the files use: the type byte first when the variant has one.
std::string typed_hex(const VariantInfo& info, ByteView raw) {
    if (info.type_byte < 0) return to_hex(raw);
    Bytes out{static_cast<std::uint8_t>(info.type_byte)};
    out.insert(out.end(), raw.begin(), raw.end());
    return to_hex(out);
}

// The raw bytes of a typed field; a wrong or missing type byte is a mismatch
// of the file, not a case cliquet must refuse.
Bytes raw_param(const VariantInfo& info, const json& test, const char* field) {
    Bytes bytes = hex_param(test, field);
    if (info.type_byte < 0) return bytes;
    if (bytes.empty() || bytes[0] != info.type_byte) throw Mismatch(std::string(field) + " lacks its type byte");
    bytes.erase(bytes.begin());
    return bytes;
}

// Sets coefficient `index` of t (12-bit little-endian packing, two per three
// bytes) to `value`, which may be q = 3329 or more: what the modulus check
// must catch wherever it sits.
Bytes with_coefficient(ByteView public_key, std::size_t index, std::uint16_t value) {
    Bytes key(public_key.begin(), public_key.end());
    const std::size_t at = index / 2 * 3;
    if (index % 2 == 0) {
        key.at(at) = static_cast<std::uint8_t>(value & 0xff);
        key.at(at + 1) = static_cast<std::uint8_t>((key.at(at + 1) & 0xf0) | (value >> 8));
    } else {
        key.at(at + 1) = static_cast<std::uint8_t>((key.at(at + 1) & 0x0f) | ((value & 0x0f) << 4));
        key.at(at + 2) = static_cast<std::uint8_t>(value >> 4);
    }
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
            json test = test_case("keygen, encapsulation and decapsulation", true, {"KnownAnswer"});
            test["seed"] = last_seed_;
            test["publicKey"] = typed_hex(info_, pair.public_key);
            test["secretKey"] = typed_hex(info_, pair.secret_key.span());
            test["m"] = to_hex(m);
            test["ciphertext"] = typed_hex(info_, enc.ciphertext);
            test["sharedSecret"] = to_hex(enc.shared_secret.span());
            tests.push_back(std::move(test));
        }
        return group("KemTest", std::move(tests));
    }

    json encapsulation_cases() {
        json tests = json::array();
        const auto pair = next_pair();
        const auto m = draw<32>();
        const ByteView pk = pair.public_key;
        tests.push_back(invalid_encaps(pk.first(pk.size() - 1), m, "public key one byte short", "WrongKeyLength"));
        Bytes longer(pk.begin(), pk.end());
        longer.push_back(0);
        tests.push_back(invalid_encaps(longer, m, "public key one byte long", "WrongKeyLength"));
        // Coefficients of t at the start, inside, and at the end of each
        // polynomial and of the whole vector, set to q and to 4095.
        const std::size_t last = 256 * kem::params(info_.variant).rank - 1;
        const std::pair<std::size_t, std::uint16_t> positions[] = {
            {0, 3329}, {1, 3329}, {255, 4095}, {256, 3329}, {last / 2, 4095}, {last, 3329}};
        for (const auto& [index, value] : positions) {
            const Bytes unreduced = with_coefficient(pk, index, value);
            const std::string where = "coefficient " + std::to_string(index) + " of t set to " + std::to_string(value);
            if (kem::params(info_.variant).fips203) {
                tests.push_back(invalid_encaps(unreduced, m, where, "ModulusCheck"));
            } else {
                // Kyber round 3 has no modulus check: the coefficient counts mod q.
                const auto enc = kem::encapsulate(info_.variant, unreduced, m);
                json test = test_case(where + " (no check in Kyber)", true, {"UnreducedCoefficient"});
                test["publicKey"] = typed_hex(info_, unreduced);
                test["m"] = to_hex(m);
                test["ciphertext"] = typed_hex(info_, enc.ciphertext);
                test["sharedSecret"] = to_hex(enc.shared_secret.span());
                tests.push_back(std::move(test));
            }
        }
        return group("KemEncapsTest", std::move(tests));
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
            json test = decaps_case(sk, corrupted, "ciphertext with a flipped bit: implicit rejection", true,
                                    "ImplicitRejection");
            test["sharedSecret"] = to_hex(rejected.span());
            tests.push_back(std::move(test));
        }
        const ByteView ct = enc.ciphertext;
        tests.push_back(with_error(decaps_case(sk, ct.first(ct.size() - 1), "ciphertext one byte short", false,
                                               "WrongCiphertextLength"),
                                   ErrorCode::invalid_message));
        tests.push_back(with_error(decaps_case(sk.first(sk.size() - 1), ct, "secret key one byte short", false,
                                               "WrongKeyLength"),
                                   ErrorCode::invalid_key));
        Bytes inconsistent(sk.begin(), sk.end());
        inconsistent[inconsistent.size() - 64] ^= 0x01;  // first byte of H(ek)
        if (kem::params(info_.variant).fips203) {
            tests.push_back(with_error(
                decaps_case(inconsistent, ct, "secret key with a wrong H(ek)", false, "InconsistentKeyHash"),
                ErrorCode::invalid_key));
        } else {
            const auto secret = kem::decapsulate(info_.variant, inconsistent, ct);
            json test = decaps_case(inconsistent, ct, "secret key with a wrong H(ek) (no check in Kyber)", true,
                                    "InconsistentKeyHash");
            test["sharedSecret"] = to_hex(secret.span());
            tests.push_back(std::move(test));
        }
        return group("KemDecapsTest", std::move(tests));
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
        last_seed_ = to_hex(seed);
        return kem::keygen(info_.variant, seed);
    }

    json group(const char* type, json tests) const {
        return {{"type", type}, {"variant", info_.name}, {"tests", std::move(tests)}};
    }

    static json with_error(json test, ErrorCode error) {
        test["error"] = to_string(error);
        return test;
    }

    json invalid_encaps(ByteView pk, ByteView m, const std::string& comment, const char* flag) const {
        json test = test_case(comment, false, {flag});
        test["publicKey"] = typed_hex(info_, pk);
        test["m"] = to_hex(m);
        return with_error(std::move(test), ErrorCode::invalid_key);
    }

    json decaps_case(ByteView sk, ByteView ct, const char* comment, bool valid, const char* flag) const {
        json test = test_case(comment, valid, {flag});
        test["secretKey"] = typed_hex(info_, sk);
        test["ciphertext"] = typed_hex(info_, ct);
        return test;
    }

    VariantInfo info_;
    DeterministicRandom random_;
    std::string last_seed_;
};

}  // namespace

json generate_kem() {
    json groups = json::array();
    for (const auto& info : kVariants) {
        Generator generator(info);
        groups.push_back(generator.known_answers());
        groups.push_back(generator.encapsulation_cases());
        groups.push_back(generator.decapsulation_cases());
    }
    return vector_file(
        "kem", "KEM",
        {"Kyber1024 (CRYSTALS-Kyber round 3, libsignal key type 0x08), ML-KEM-768 and ML-KEM-1024 (FIPS 203,",
         "libsignal key type 0x0a). Kyber1024 and ML-KEM-1024 keys and ciphertexts carry libsignal's type byte;",
         "ML-KEM-768 ones are raw. seed is d || z; m is the encapsulation message before any hashing. Inputs",
         "come from cliquet's DeterministicRandom seeded with SHA-256(\"cliquet/kem/<variant>\"); the",
         "implementation itself is checked against NIST and C2SP known answers in tests/kem_*_test.cpp and",
         "against Project Wycheproof's ML-KEM files in test_vectors/wycheproof/."},
        {{"KnownAnswer", "keygen from seed, encapsulation of m, decapsulation of the result"},
         {"ImplicitRejection",
          "a well-formed ciphertext that does not re-encrypt: decapsulation succeeds with the rejection secret, "
          "J(z || c) for ML-KEM, SHAKE256(z || SHA3-256(c)) for Kyber round 3"},
         {"WrongKeyLength", "a public or secret key of the wrong length: invalid_key"},
         {"WrongCiphertextLength", "a ciphertext of the wrong length: invalid_message"},
         {"ModulusCheck",
          "ML-KEM encapsulation key with a coefficient >= q (FIPS 203 7.2) at one of several positions: invalid_key"},
         {"UnreducedCoefficient", "the same keys for Kyber round 3, which reads the coefficients mod q"},
         {"InconsistentKeyHash",
          "decapsulation key whose H(ek) does not match ek: invalid_key for ML-KEM (FIPS 203 7.3); "
          "Kyber round 3 does not check"}},
        std::move(groups));
}

void check_kem_case(const json& group, const json& test) {
    const VariantInfo& info = info_named(string_param(group, "variant"));
    const KemVariant variant = info.variant;
    const std::string type = string_param(group, "type");
    const bool valid = is_valid(test);
    auto run = [&](const std::function<void()>& operation) {
        if (valid) operation();
        else expect_refused(operation, error_param(test));
    };
    if (type == "KemTest") {
        const Bytes seed = hex_param(test, "seed");
        if (seed.size() != kem::kSeedSize) throw Mismatch("seed is not 64 bytes");
        const auto pair = kem::keygen(variant, std::span<const std::uint8_t>(seed).first<kem::kSeedSize>());
        expect_equal("publicKey", raw_param(info, test, "publicKey"), pair.public_key);
        expect_equal("secretKey", raw_param(info, test, "secretKey"), pair.secret_key.span());
    }
    if (type == "KemTest" || type == "KemEncapsTest") {
        const Bytes m = hex_param(test, "m");
        if (m.size() != kem::kMessageSize) throw Mismatch("m is not 32 bytes");
        const Bytes public_key = raw_param(info, test, "publicKey");
        run([&] {
            const auto enc = kem::encapsulate(variant, public_key,
                                              std::span<const std::uint8_t>(m).first<kem::kMessageSize>());
            expect_equal("ciphertext", raw_param(info, test, "ciphertext"), enc.ciphertext);
            expect_equal("sharedSecret", hex_param(test, "sharedSecret"), enc.shared_secret.span());
        });
    }
    if (type == "KemTest" || type == "KemDecapsTest") {
        const Bytes secret_key = raw_param(info, test, "secretKey");
        const Bytes ciphertext = raw_param(info, test, "ciphertext");
        run([&] {
            const auto secret = kem::decapsulate(variant, secret_key, ciphertext);
            expect_equal("sharedSecret", hex_param(test, "sharedSecret"), secret.span());
        });
    }
    if (type != "KemTest" && type != "KemEncapsTest" && type != "KemDecapsTest")
        throw Mismatch("unknown group type '" + type + "'");
}

}  // namespace cliquet::vectors
