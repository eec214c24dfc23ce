// Project Wycheproof's ML-KEM files (FIPS 203), all four test types, run
// through cliquet's own ML-KEM (src/crypto/kem):
//   MLKEMTest                  seed -> ek; decapsulating c gives K;
//   MLKEMEncapsTest            ek, m -> c, K, or a refused key;
//   MLKEMKeyGen                seed -> ek, dk;
//   MLKEMDecapsValidationTest  dk, c -> K, or a refused key or ciphertext.
// cliquet has ML-KEM-768 (SPQR) and ML-KEM-1024; ML-KEM-512 is skipped.
//
// cliquet refuses a bad key with invalid_key (a wrong length, a coefficient
// of ek not below q, a dk whose H(ek) does not match) and a ciphertext of the
// wrong length with invalid_message. Its key generation and encapsulation
// take the seed (64 bytes) and m (32 bytes) as fixed-extent spans, so a
// seed or m of another length cannot be passed at all: those cases are
// skipped, with that reason.
#include "crypto/kem/kem.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

// Wycheproof's files are read, never written: these categories generate nothing.
const GenerateFunction kReadOnly{};

namespace kem = crypto::kem;
using kem::KemVariant;

KemVariant variant_of(const json& group) {
    const std::string set = string_param(group, "parameterSet");
    if (set == "ML-KEM-768") return KemVariant::mlkem768;
    if (set == "ML-KEM-1024") return KemVariant::mlkem1024;
    if (set == "ML-KEM-512") throw Skipped("ML-KEM-512: the protocol uses ML-KEM-768 and ML-KEM-1024 only");
    throw Mismatch("unknown parameterSet " + set);
}

template <std::size_t N>
std::span<const std::uint8_t, N> fixed_input(const Bytes& bytes, std::string_view what) {
    if (bytes.size() != N)
        throw Skipped(std::string(what) + " not " + std::to_string(N) +
                      " bytes: cliquet takes it as a fixed-extent span, so no other length can be passed");
    return std::span<const std::uint8_t>(bytes).first<N>();
}

// The error a refused decapsulation must carry: a key problem is checked
// before the ciphertext's length.
ErrorCode decapsulation_error(KemVariant variant, const Bytes& dk, const Bytes& ciphertext) {
    if (dk.size() == kem::secret_key_size(variant) && ciphertext.size() != kem::ciphertext_size(variant))
        return ErrorCode::invalid_message;
    return ErrorCode::invalid_key;
}

void check_decapsulation(KemVariant variant, const json& test, const Bytes& dk) {
    const Bytes ciphertext = hex_param(test, "c");
    if (is_valid(test)) {
        expect_equal("K", hex_param(test, "K"), kem::decapsulate(variant, dk, ciphertext).span());
    } else {
        expect_refused([&] { (void)kem::decapsulate(variant, dk, ciphertext); },
                       decapsulation_error(variant, dk, ciphertext));
    }
}

void check_mlkem(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    const KemVariant variant = variant_of(group);
    if (type == "MLKEMTest") {
        const Bytes seed = hex_param(test, "seed");
        const auto pair = kem::keygen(variant, fixed_input<kem::kSeedSize>(seed, "seed"));
        if (const auto ek = optional_hex_param(test, "ek")) expect_equal("ek", *ek, pair.public_key);
        const Bytes dk(pair.secret_key.span().begin(), pair.secret_key.span().end());
        check_decapsulation(variant, test, dk);
    } else if (type == "MLKEMEncapsTest") {
        const Bytes ek = hex_param(test, "ek");
        const Bytes m = hex_param(test, "m");
        const auto message = fixed_input<kem::kMessageSize>(m, "m");
        if (is_valid(test)) {
            const auto sent = kem::encapsulate(variant, ek, message);
            expect_equal("c", hex_param(test, "c"), sent.ciphertext);
            expect_equal("K", hex_param(test, "K"), sent.shared_secret.span());
        } else {
            expect_refused([&] { (void)kem::encapsulate(variant, ek, message); }, ErrorCode::invalid_key);
        }
    } else if (type == "MLKEMKeyGen") {
        if (!is_valid(test)) throw Mismatch("MLKEMKeyGen has valid cases only");
        const Bytes seed = hex_param(test, "seed");
        const auto pair = kem::keygen(variant, fixed_input<kem::kSeedSize>(seed, "seed"));
        expect_equal("ek", hex_param(test, "ek"), pair.public_key);
        expect_equal("dk", hex_param(test, "dk"), pair.secret_key.span());
    } else if (type == "MLKEMDecapsValidationTest") {
        check_decapsulation(variant, test, hex_param(test, "dk"));
    } else {
        throw Mismatch("unknown group type " + type);
    }
}

const CategoryRegistration registration{"wycheproof/ML-KEM", check_mlkem, kReadOnly,
                                        "Wycheproof mlkem_*_test.json (all four test types), ML-KEM-768 and -1024"};

}  // namespace
}  // namespace cliquet::vectors
