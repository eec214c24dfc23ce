// Known answers for the three KEMs: the NIST round-3 KAT procedure (the
// AES-256 CTR DRBG of NIST's PQCgenKAT_kem.c, seeded with bytes 0..47),
// 100 cases per variant.
//
// Expected values are those published in libcrux-ml-kem's
// tests/kats/nistkats_{kyber_1024,mlkem_1024,mlkem_768}.json (Kyber1024's
// agree with the round-3 submission's PQCkemKAT_3168.rsp). Each case is
// (SHA3-256(pk), SHA3-256(sk), SHA3-256(ct), ss); the first case of each file
// is spelled out, and the 100 cases are checked together through the
// SHA3-256 of their concatenation, computed from the published file.
#include <openssl/evp.h>

#include <array>
#include <catch2/catch.hpp>
#include <string>

#include "cliquet/bytes.hpp"
#include "crypto/kem/kem.hpp"
#include "crypto/openssl.hpp"

using namespace cliquet;
using namespace cliquet::crypto::kem;
namespace ossl = cliquet::crypto::openssl;

namespace {

// NIST's randombytes(): AES-256 in counter mode with a 48-byte update.
class NistDrbg {
public:
    explicit NistDrbg(std::span<const std::uint8_t, 48> seed) { update(seed); }

    Bytes read(std::size_t length) {
        Bytes out;
        while (out.size() < length) {
            increment_v();
            const auto block = encrypt_block(v_);
            out.insert(out.end(), block.begin(), block.end());
        }
        out.resize(length);
        update({});
        return out;
    }

private:
    std::array<std::uint8_t, 16> encrypt_block(const std::array<std::uint8_t, 16>& in) const {
        auto ctx = ossl::new_cipher_ctx();
        std::array<std::uint8_t, 16> out{};
        int len = 0;
        ossl::check(EVP_EncryptInit_ex2(ctx.get(), ossl::aes256_ecb(), key_.data(), nullptr, nullptr), "init");
        ossl::check(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "padding");
        ossl::check(EVP_EncryptUpdate(ctx.get(), out.data(), &len, in.data(), 16), "update");
        return out;
    }

    void increment_v() {
        for (int i = 15; i >= 0; --i)
            if (++v_[static_cast<std::size_t>(i)] != 0) break;
    }

    void update(std::span<const std::uint8_t> provided) {
        std::array<std::uint8_t, 48> temp{};
        for (std::size_t i = 0; i < 3; ++i) {
            increment_v();
            const auto block = encrypt_block(v_);
            std::copy(block.begin(), block.end(), temp.begin() + static_cast<std::ptrdiff_t>(16 * i));
        }
        for (std::size_t i = 0; i < provided.size(); ++i) temp[i] ^= provided[i];
        std::copy(temp.begin(), temp.begin() + 32, key_.begin());
        std::copy(temp.begin() + 32, temp.end(), v_.begin());
    }

    std::array<std::uint8_t, 32> key_{};
    std::array<std::uint8_t, 16> v_{};
};

std::array<std::uint8_t, 32> sha3_256(ByteView data) {
    std::array<std::uint8_t, 32> out{};
    unsigned int len = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &len, ossl::sha3_256(), nullptr) == 1);
    return out;
}

struct KatCase {
    std::string pk_hash, sk_hash, ct_hash, shared_secret;
};

// Runs one KAT case from its seeds and returns the four published values.
KatCase run_case(KemVariant variant, ByteView keygen_seed, ByteView encaps_seed) {
    const auto pair = keygen(variant, keygen_seed.first<kSeedSize>());
    const auto enc = encapsulate(variant, pair.public_key, encaps_seed.first<kMessageSize>());
    const auto dec = decapsulate(variant, pair.secret_key.span(), enc.ciphertext);
    CHECK(dec == enc.shared_secret);
    return {to_hex(sha3_256(pair.public_key)), to_hex(sha3_256(pair.secret_key.span())),
            to_hex(sha3_256(enc.ciphertext)), to_hex(enc.shared_secret.span())};
}

// All 100 cases, hashed as the published file's 100 * 128 bytes would be.
std::string accumulate_cases(KemVariant variant, KatCase& first) {
    std::array<std::uint8_t, 48> entropy{};
    for (std::size_t i = 0; i < entropy.size(); ++i) entropy[i] = static_cast<std::uint8_t>(i);
    NistDrbg outer(entropy);
    Bytes transcript;
    for (int count = 0; count < 100; ++count) {
        const Bytes case_seed = outer.read(48);
        NistDrbg inner(std::span<const std::uint8_t>(case_seed).first<48>());
        Bytes keygen_seed = inner.read(32);
        const Bytes z = inner.read(32);
        keygen_seed.insert(keygen_seed.end(), z.begin(), z.end());
        const Bytes encaps_seed = inner.read(32);
        const KatCase result = run_case(variant, keygen_seed, encaps_seed);
        if (count == 0) first = result;
        for (const auto* hex : {&result.pk_hash, &result.sk_hash, &result.ct_hash, &result.shared_secret}) {
            const Bytes raw = from_hex(*hex);
            transcript.insert(transcript.end(), raw.begin(), raw.end());
        }
    }
    return to_hex(sha3_256(transcript));
}

}  // namespace

TEST_CASE("Kyber1024 reproduces the round-3 NIST KATs", "[kem][kat]") {
    KatCase first;
    CHECK(accumulate_cases(KemVariant::kyber1024, first) ==
          "42cf9aa0de13b2f13e9e38362a756078ca04e5d199a9f9dd7687899af3ddd923");
    CHECK(first.pk_hash == "8a39e87d531f3527c207edcc1db7faddcf9628391879b335c707839a0db051a8");
    CHECK(first.sk_hash == "ed1f6cb687c37931ea2aa80d9c956f277a9df532649661035c6e2f9872132638");
    CHECK(first.ct_hash == "3b4a9eca3917a8f4b16ab748352c74d76d06fa30efc033973d841de84ad89387");
    CHECK(first.shared_secret == "b10f7394926ad3b49c5d62d5aeb531d5757538bcc0da9e550d438f1b61bd7419");
}

TEST_CASE("ML-KEM-1024 reproduces the FIPS 203 KATs", "[kem][kat]") {
    KatCase first;
    CHECK(accumulate_cases(KemVariant::mlkem1024, first) ==
          "b9761cb5d60a0f3b8ca56c84386cbd9122d13cc5cb23f70d698d4d7dd4e47524");
    CHECK(first.pk_hash == "ebbe41cd4dea489dedd00e76ae0bcf54aa8550202920eb64d5892ad02b13f2e5");
    CHECK(first.sk_hash == "ecfa369ec7e834204291fccb4d59c3fd1557b0ec3ab2ed7d50c98c01f292612e");
    CHECK(first.ct_hash == "507dcdae0432f558189a09c5e79fd69896e2f830e37ae4d598b00566e55f20f5");
    CHECK(first.shared_secret == "489dd1e9c2be4af3482bdb35bb26ce760e6e414da6ecbe489985748a825f1cd6");
}

TEST_CASE("ML-KEM-768 reproduces the FIPS 203 KATs", "[kem][kat]") {
    KatCase first;
    CHECK(accumulate_cases(KemVariant::mlkem768, first) ==
          "bd5b70fb3a0a3af24aff87b8eb51687c75f7fe73007606f7f4ab48be3e3b266a");
    CHECK(first.pk_hash == "f57262661358cde8d3ebf990e5fd1d5b896c992ccfaadb5256b68bbf5943b132");
    CHECK(first.sk_hash == "7deef44965b03d76de543ad6ef9e74a2772fa5a9fa0e761120dac767cf0152ef");
    CHECK(first.ct_hash == "6e777e2cf8054659136a971d9e70252f301226930c19c470ee0688163a63c15b");
    CHECK(first.shared_secret == "e7184a0975ee3470878d2d159ec83129c8aec253d4ee17b4810311d198cd0368");
}
