// Behaviour of the KEM entry points beyond the known answers: input checks,
// implicit rejection (recomputed here from its definition), the ML-KEM-768
// two-step encapsulation, and the libsignal-typed public API.
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "cliquet/error.hpp"
#include "cliquet/kem.hpp"
#include "crypto/kem/kem.hpp"
#include "crypto/openssl.hpp"

using namespace cliquet;
using namespace cliquet::crypto::kem;

namespace {

constexpr KemVariant kAllVariants[] = {KemVariant::kyber1024, KemVariant::mlkem768, KemVariant::mlkem1024};

std::array<std::uint8_t, 64> seed_from(std::uint8_t start) {
    std::array<std::uint8_t, 64> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(start + 3 * i);
    return seed;
}

Bytes digest(const EVP_MD* md, std::size_t size, std::initializer_list<ByteView> parts) {
    auto ctx = crypto::openssl::new_md_ctx();
    REQUIRE(EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1);
    for (ByteView part : parts) REQUIRE(EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1);
    Bytes out(size);
    if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) {
        REQUIRE(EVP_DigestFinalXOF(ctx.get(), out.data(), out.size()) == 1);
    } else {
        REQUIRE(EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) == 1);
    }
    return out;
}

template <typename F>
ErrorCode error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no cliquet::Error thrown");
    return ErrorCode::unsupported;
}

// Sets the first coefficient of t to v (12 bits, little-endian packing).
void set_first_coefficient(Bytes& public_key, std::uint16_t v) {
    public_key[0] = static_cast<std::uint8_t>(v);
    public_key[1] = static_cast<std::uint8_t>((public_key[1] & 0xf0) | (v >> 8));
}

}  // namespace

TEST_CASE("keys and ciphertexts of the wrong length are refused", "[kem]") {
    for (KemVariant v : kAllVariants) {
        const auto pair = keygen(v, seed_from(1));
        const std::array<std::uint8_t, 32> m{};
        const auto enc = encapsulate(v, pair.public_key, m);
        Bytes short_key(pair.public_key.begin(), pair.public_key.end() - 1);
        Bytes long_ct = enc.ciphertext;
        long_ct.push_back(0);
        CHECK(error_of([&] { encapsulate(v, short_key, m); }) == ErrorCode::invalid_key);
        CHECK(error_of([&] { decapsulate(v, pair.secret_key.span().first(100), enc.ciphertext); }) ==
              ErrorCode::invalid_key);
        CHECK(error_of([&] { decapsulate(v, pair.secret_key.span(), long_ct); }) == ErrorCode::invalid_message);
        CHECK(error_of([&] { decapsulate(v, pair.secret_key.span(), ByteView()); }) == ErrorCode::invalid_message);
    }
}

TEST_CASE("ML-KEM refuses keys with a coefficient of q or more, Kyber takes them", "[kem]") {
    const std::array<std::uint8_t, 32> m{};
    for (std::uint16_t bad : {std::uint16_t{3329}, std::uint16_t{4095}}) {
        for (KemVariant v : {KemVariant::mlkem768, KemVariant::mlkem1024}) {
            auto public_key = keygen(v, seed_from(2)).public_key;
            set_first_coefficient(public_key, bad);
            CHECK(error_of([&] { encapsulate(v, public_key, m); }) == ErrorCode::invalid_key);
        }
        auto kyber_key = keygen(KemVariant::kyber1024, seed_from(2)).public_key;
        set_first_coefficient(kyber_key, bad);
        CHECK_NOTHROW(encapsulate(KemVariant::kyber1024, kyber_key, m));
    }
}

TEST_CASE("ML-KEM refuses a secret key whose H(ek) does not match", "[kem]") {
    const std::array<std::uint8_t, 32> m{};
    for (KemVariant v : kAllVariants) {
        auto pair = keygen(v, seed_from(3));
        const auto enc = encapsulate(v, pair.public_key, m);
        Bytes tampered(pair.secret_key.span().begin(), pair.secret_key.span().end());
        tampered[secret_key_size(v) - 64] ^= 1;  // first byte of H(ek)
        if (params(v).fips203) {
            CHECK(error_of([&] { decapsulate(v, tampered, enc.ciphertext); }) == ErrorCode::invalid_key);
        } else {
            CHECK_NOTHROW(decapsulate(v, tampered, enc.ciphertext));
        }
    }
}

TEST_CASE("a corrupted ciphertext decapsulates to the implicit-rejection secret", "[kem]") {
    const std::array<std::uint8_t, 32> m{9};
    for (KemVariant v : kAllVariants) {
        const auto pair = keygen(v, seed_from(4));
        const auto enc = encapsulate(v, pair.public_key, m);
        const ByteView z = pair.secret_key.span().last(32);
        for (std::size_t position : {std::size_t{0}, enc.ciphertext.size() / 2, enc.ciphertext.size() - 1}) {
            Bytes corrupted = enc.ciphertext;
            corrupted[position] ^= 0x80;
            const auto secret = decapsulate(v, pair.secret_key.span(), corrupted);
            // ML-KEM: J(z || c) (FIPS 203 Algorithm 18, line 7); Kyber round 3:
            // KDF(z || H(c)) with KDF = SHAKE256.
            const Bytes expected =
                params(v).fips203
                    ? digest(crypto::openssl::shake256(), 32, {z, corrupted})
                    : digest(crypto::openssl::shake256(), 32,
                             {z, digest(crypto::openssl::sha3_256(), 32, {corrupted})});
            CHECK(Bytes(secret.span().begin(), secret.span().end()) == expected);
            CHECK_FALSE(secret == enc.shared_secret);
        }
    }
}

TEST_CASE("ML-KEM-768 in two steps gives the ordinary ciphertext and secret", "[kem][spqr]") {
    const auto pair = keygen(KemVariant::mlkem768, seed_from(5));
    const auto split = mlkem768::split_public_key(pair.public_key);
    CHECK(ByteView(split.header).first(32).size() == 32);
    CHECK(std::equal(split.header.begin(), split.header.begin() + 32, pair.public_key.end() - 32));
    CHECK(Bytes(split.header.begin() + 32, split.header.end()) ==
          digest(crypto::openssl::sha3_256(), 32, {pair.public_key}));
    CHECK(mlkem768::header_matches_vector(split.header, split.vector));

    for (std::uint8_t trial = 0; trial < 8; ++trial) {
        std::array<std::uint8_t, 32> m{};
        m.fill(trial);
        const auto first = mlkem768::encapsulate1(split.header, m);
        const Bytes second = mlkem768::encapsulate2(first.state, split.vector);
        const auto whole = encapsulate(KemVariant::mlkem768, pair.public_key, m);
        Bytes joined = first.ciphertext1;
        joined.insert(joined.end(), second.begin(), second.end());
        CHECK(joined == whole.ciphertext);
        CHECK(first.shared_secret == whole.shared_secret);
        CHECK(decapsulate(KemVariant::mlkem768, pair.secret_key.span(), joined) == first.shared_secret);
    }
}

TEST_CASE("the second step refuses a vector that is not the header's", "[kem][spqr]") {
    const auto split = mlkem768::split_public_key(keygen(KemVariant::mlkem768, seed_from(6)).public_key);
    const auto other = mlkem768::split_public_key(keygen(KemVariant::mlkem768, seed_from(7)).public_key);
    const std::array<std::uint8_t, 32> m{};
    const auto first = mlkem768::encapsulate1(split.header, m);
    CHECK_FALSE(mlkem768::header_matches_vector(split.header, other.vector));
    CHECK(error_of([&] { mlkem768::encapsulate2(first.state, other.vector); }) == ErrorCode::invalid_key);
    CHECK(error_of([&] { mlkem768::encapsulate2(first.state, ByteView(split.vector).first(100)); }) ==
          ErrorCode::invalid_key);
    CHECK(error_of([&] { mlkem768::encapsulate1(ByteView(split.header).first(63), m); }) == ErrorCode::invalid_key);
    Bytes out_of_range = split.vector;
    set_first_coefficient(out_of_range, 3329);
    CHECK(error_of([&] { mlkem768::encapsulate2(first.state, out_of_range); }) == ErrorCode::invalid_key);
}

TEST_CASE("splitting refuses a key that is not ML-KEM-768, or whose vector is out of range", "[kem][spqr]") {
    const Bytes key = keygen(KemVariant::mlkem768, seed_from(8)).public_key;
    REQUIRE_NOTHROW(mlkem768::split_public_key(key));
    CHECK(error_of([&] { mlkem768::split_public_key(keygen(KemVariant::mlkem1024, seed_from(8)).public_key); }) ==
          ErrorCode::invalid_key);
    CHECK(error_of([&] { mlkem768::split_public_key(ByteView(key).first(key.size() - 1)); }) ==
          ErrorCode::invalid_key);
    CHECK(error_of([&] { mlkem768::split_public_key(ByteView{}); }) == ErrorCode::invalid_key);
    // A coefficient of q itself: the modulus check of FIPS 203, 7.2.
    Bytes out_of_range = key;
    set_first_coefficient(out_of_range, 3329);
    CHECK(error_of([&] { mlkem768::split_public_key(out_of_range); }) == ErrorCode::invalid_key);
}

TEST_CASE("public KEM keys and ciphertexts carry libsignal's type byte", "[kem]") {
    for (auto [type, raw_pk, raw_sk, raw_ct] : {std::tuple{KemType::kyber1024, 1568, 3168, 1568},
                                                std::tuple{KemType::mlkem1024, 1568, 3168, 1568}}) {
        const auto pair = cliquet::KemKeyPair::generate(type);
        const Bytes pk = pair.public_key.serialize();
        const SecretBytes sk = pair.secret_key.serialize();
        REQUIRE(pk.size() == static_cast<std::size_t>(raw_pk) + 1);
        REQUIRE(sk.size() == static_cast<std::size_t>(raw_sk) + 1);
        CHECK(pk[0] == static_cast<std::uint8_t>(type));
        CHECK(sk.span()[0] == static_cast<std::uint8_t>(type));

        const auto pk2 = KemPublicKey::deserialize(pk);
        const auto sk2 = KemSecretKey::deserialize(sk.span());
        CHECK(pk2 == pair.public_key);
        const auto enc = pk2.encapsulate();
        REQUIRE(enc.ciphertext.size() == static_cast<std::size_t>(raw_ct) + 1);
        CHECK(enc.ciphertext[0] == static_cast<std::uint8_t>(type));
        CHECK(sk2.decapsulate(enc.ciphertext) == enc.shared_secret);

        Bytes wrong_type = enc.ciphertext;
        wrong_type[0] = type == KemType::kyber1024 ? 0x0a : 0x08;
        CHECK(error_of([&] { (void)sk2.decapsulate(wrong_type); }) == ErrorCode::invalid_message);
        CHECK(error_of([&] { (void)sk2.decapsulate(ByteView(enc.ciphertext).first(100)); }) ==
              ErrorCode::invalid_message);
    }
    CHECK(error_of([] { (void)KemPublicKey::deserialize(ByteView()); }) == ErrorCode::invalid_key);
    Bytes unknown(1569, 0);
    unknown[0] = 0x07;  // Kyber768: libsignal knows it only behind a feature flag
    CHECK(error_of([&] { (void)KemPublicKey::deserialize(unknown); }) == ErrorCode::invalid_key);
    Bytes truncated(1568, 0);
    truncated[0] = 0x08;
    CHECK(error_of([&] { (void)KemPublicKey::deserialize(truncated); }) == ErrorCode::invalid_key);
    CHECK(error_of([&] { (void)KemSecretKey::deserialize(truncated); }) == ErrorCode::invalid_key);
}

TEST_CASE("the public raw KEM entry points are the internal ones", "[kem]") {
    const std::pair<RawKem, KemVariant> kems[] = {{RawKem::kyber1024, KemVariant::kyber1024},
                                                  {RawKem::mlkem768, KemVariant::mlkem768},
                                                  {RawKem::mlkem1024, KemVariant::mlkem1024}};
    for (const auto& kem : kems) {
        // Plain variables, not a structured binding: clang 14's lambdas cannot capture one.
        const RawKem raw = kem.first;
        const KemVariant variant = kem.second;
        const auto seed = seed_from(7);
        const auto pair = raw_kem_keygen(raw, seed);
        const auto expected = keygen(variant, seed);
        CHECK(pair.public_key == expected.public_key);
        CHECK(pair.secret_key == expected.secret_key);

        std::array<std::uint8_t, 32> message{};
        message.fill(0x5c);
        const auto sent = raw_kem_encapsulate(raw, pair.public_key, message);
        const auto expected_sent = encapsulate(variant, expected.public_key, message);
        CHECK(sent.ciphertext == expected_sent.ciphertext);
        CHECK(sent.shared_secret == expected_sent.shared_secret);
        CHECK(raw_kem_decapsulate(raw, pair.secret_key.span(), sent.ciphertext) == sent.shared_secret);

        CHECK(error_of([&] { (void)raw_kem_encapsulate(raw, ByteView(pair.public_key).first(100), message); }) ==
              ErrorCode::invalid_key);
        const ByteView truncated = ByteView(sent.ciphertext).first(100);
        CHECK(error_of([&] { (void)raw_kem_decapsulate(raw, pair.secret_key.span(), truncated); }) ==
              ErrorCode::invalid_message);
    }
}
