#include "crypto/curve25519.hpp"

#include <openssl/bn.h>
#include <sodium.h>

#include <algorithm>
#include <memory>

#include "cliquet/error.hpp"
#include "crypto/declassify.hpp"

namespace cliquet::crypto {
namespace {

using Scalar = SecretArray<crypto_core_ed25519_SCALARBYTES>;

// The hash of XEdDSA's nonce is domain-separated by this 32-byte prefix
// (0xFE followed by 31 bytes of 0xFF), as libsignal writes it.
constexpr std::array<std::uint8_t, 32> kNoncePrefix = {
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void ensure_sodium() {
    (void)system_random();  // initialises libsodium exactly once
}

// SHA-512 of the parts, reduced modulo the group order L.
void hash_to_scalar(std::uint8_t out[32], std::initializer_list<ByteView> parts) {
    crypto_hash_sha512_state state;
    crypto_hash_sha512_init(&state);
    for (ByteView part : parts) crypto_hash_sha512_update(&state, part.data(), part.size());
    SecretArray<64> digest;
    crypto_hash_sha512_final(&state, digest.data());
    crypto_core_ed25519_scalar_reduce(out, digest.data());
    secure_wipe(&state, sizeof state);
}

struct BnFree { void operator()(BIGNUM* n) const noexcept { BN_free(n); } };
struct BnCtxFree { void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); } };
using Bignum = std::unique_ptr<BIGNUM, BnFree>;

// Birational map from the Montgomery u-coordinate to the Edwards y-coordinate,
// y = (u - 1) / (u + 1) mod p, with the sign of x taken from `sign_bit`. Only
// ever applied to public keys, so variable-time big-number code is fine.
// Returns false for u = -1, which has no Edwards image.
bool montgomery_to_edwards(std::span<const std::uint8_t, 32> u_bytes, std::uint8_t sign_bit,
                           std::array<std::uint8_t, 32>& edwards) {
    std::array<std::uint8_t, 32> u_le;
    std::copy(u_bytes.begin(), u_bytes.end(), u_le.begin());
    u_le[31] &= 0x7f;  // the top bit is not part of the coordinate (RFC 7748)

    std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
    Bignum p(BN_new()), u(BN_lebin2bn(u_le.data(), 32, nullptr)), num(BN_new()), den(BN_new()), y(BN_new());
    if (!ctx || !p || !u || !num || !den || !y) throw std::bad_alloc();
    // p = 2^255 - 19
    if (BN_set_bit(p.get(), 255) != 1 || BN_sub_word(p.get(), 19) != 1) throw std::bad_alloc();
    if (BN_nnmod(u.get(), u.get(), p.get(), ctx.get()) != 1) throw std::bad_alloc();
    if (BN_copy(num.get(), u.get()) == nullptr || BN_copy(den.get(), u.get()) == nullptr) throw std::bad_alloc();
    if (BN_add_word(den.get(), 1) != 1 || BN_nnmod(den.get(), den.get(), p.get(), ctx.get()) != 1) throw std::bad_alloc();
    if (BN_is_zero(den.get())) return false;
    if (BN_sub_word(num.get(), 1) != 1) throw std::bad_alloc();  // may be -1; BN_mod_mul reduces it
    if (BN_mod_inverse(den.get(), den.get(), p.get(), ctx.get()) == nullptr) throw std::bad_alloc();
    if (BN_mod_mul(y.get(), num.get(), den.get(), p.get(), ctx.get()) != 1) throw std::bad_alloc();
    if (BN_bn2lebinpad(y.get(), edwards.data(), 32) != 32) throw std::bad_alloc();
    edwards[31] = static_cast<std::uint8_t>((edwards[31] & 0x7f) | (sign_bit << 7));
    return true;
}

// Verifying keys recur: a group's sender keys sign every message of their
// chain, a server key every sender certificate. The map above costs a field
// inversion in big-number code, several times an Ed25519 verification's
// hashing, so each thread remembers the images of the last keys it verified
// with. Keys are public, so indexing by their bytes reveals nothing; a
// collision only costs a recomputation.
class EdwardsImages {
public:
    // The image of `u_bytes` with the sign bit clear, or false for u = -1.
    bool find_or_compute(std::span<const std::uint8_t, 32> u_bytes, std::array<std::uint8_t, 32>& edwards) {
        Entry& entry = entries_[slot_of(u_bytes)];
        if (!entry.filled || !std::equal(u_bytes.begin(), u_bytes.end(), entry.u.begin())) {
            entry.filled = false;
            std::copy(u_bytes.begin(), u_bytes.end(), entry.u.begin());
            entry.has_image = montgomery_to_edwards(u_bytes, 0, entry.edwards);
            entry.filled = true;
        }
        edwards = entry.edwards;
        return entry.has_image;
    }

private:
    static constexpr std::size_t kSlots = 64;
    struct Entry {
        std::array<std::uint8_t, 32> u{};
        std::array<std::uint8_t, 32> edwards{};
        bool has_image = false;
        bool filled = false;
    };
    static std::size_t slot_of(std::span<const std::uint8_t, 32> u_bytes) noexcept {
        return (std::size_t{u_bytes[0]} | std::size_t{u_bytes[1]} << 8) % kSlots;
    }
    std::array<Entry, kSlots> entries_{};
};

bool edwards_verifying_key(std::span<const std::uint8_t, 32> montgomery_u, std::uint8_t sign_bit,
                           std::array<std::uint8_t, 32>& edwards) {
    thread_local EdwardsImages images;
    if (!images.find_or_compute(montgomery_u, edwards)) return false;
    edwards[31] = static_cast<std::uint8_t>((edwards[31] & 0x7f) | (sign_bit << 7));
    return true;
}

}  // namespace

void clamp_x25519_scalar(std::span<std::uint8_t, 32> scalar) noexcept {
    scalar[0] &= 248;
    scalar[31] &= 127;
    scalar[31] |= 64;
}

X25519Point x25519_base(const X25519Scalar& scalar) {
    ensure_sodium();
    X25519Point out;
    // The result is the public key: public by definition, and so is whether
    // the scalar was zero (a clamped scalar never is).
    const int status = declassified(crypto_scalarmult_base(out.data(), scalar.data()));
    declassify(out.data(), out.size());
    if (status != 0) throw Error(ErrorCode::invalid_key, "X25519 private key is zero");
    return out;
}

SecretArray<32> x25519(const X25519Scalar& scalar, std::span<const std::uint8_t, 32> point) {
    ensure_sodium();
    SecretArray<32> shared;
    // libsodium refuses (returns -1) exactly when the result is all zeros,
    // which for a clamped scalar depends only on the public point.
    if (declassified(crypto_scalarmult(shared.data(), scalar.data(), point.data())) != 0)
        throw Error(ErrorCode::invalid_key, "X25519 public key has small order");
    return shared;
}

XeddsaSignature xeddsa_sign(const X25519Scalar& scalar, ByteView message, RandomSource& random) {
    SecretArray<64> random_bytes;
    random.fill(random_bytes.span());
    return xeddsa_sign_with_nonce(scalar, message, random_bytes.span());
}

XeddsaSignature xeddsa_sign_with_nonce(const X25519Scalar& scalar, ByteView message,
                                       std::span<const std::uint8_t, 64> random_bytes) {
    ensure_sodium();
    // A = aB with a the clamped scalar as is: its top bit is clear, so
    // libsodium's unclamped base multiplication takes it unchanged.
    std::array<std::uint8_t, 32> edwards_public;
    const int status = declassified(crypto_scalarmult_ed25519_base_noclamp(edwards_public.data(), scalar.data()));
    declassify(edwards_public.data(), edwards_public.size());  // A is the public key's other form
    if (status != 0) throw Error(ErrorCode::invalid_key, "XEdDSA private key is zero");
    const std::uint8_t sign_bit = edwards_public[31] & 0x80;

    Scalar r;
    hash_to_scalar(r.data(), {kNoncePrefix, scalar.span(), message, random_bytes});
    std::array<std::uint8_t, 32> cap_r;
    // R is published in the signature. r = 0 (probability 2^-252) would make
    // libsodium report the identity point; retrying is pointless, refusing is
    // honest.
    const int nonce_status = declassified(crypto_scalarmult_ed25519_base_noclamp(cap_r.data(), r.data()));
    declassify(cap_r.data(), cap_r.size());
    if (nonce_status != 0) throw Error(ErrorCode::invalid_key, "XEdDSA nonce is zero");

    Scalar h;
    hash_to_scalar(h.data(), {cap_r, edwards_public, message});

    SecretArray<64> wide_a;
    std::copy(scalar.data(), scalar.data() + 32, wide_a.data());
    Scalar a;
    crypto_core_ed25519_scalar_reduce(a.data(), wide_a.data());

    Scalar s;
    crypto_core_ed25519_scalar_mul(s.data(), h.data(), a.data());
    crypto_core_ed25519_scalar_add(s.data(), s.data(), r.data());

    XeddsaSignature signature;
    std::copy(cap_r.begin(), cap_r.end(), signature.begin());
    std::copy(s.data(), s.data() + 32, signature.begin() + 32);
    signature[63] = static_cast<std::uint8_t>((signature[63] & 0x7f) | sign_bit);
    return signature;
}

bool is_canonical_public_key(std::span<const std::uint8_t, 32> montgomery_u) {
    if ((montgomery_u[31] & 0x80) != 0) return false;
    // The only 255-bit values at or above p: 0x7fff...ff followed by ed..ff.
    const bool high_bytes_all_ones =
        montgomery_u[31] == 0x7f && std::all_of(montgomery_u.begin() + 1, montgomery_u.begin() + 31,
                                                [](std::uint8_t b) { return b == 0xff; });
    if (high_bytes_all_ones && montgomery_u[0] >= 0xed) return false;
    ensure_sodium();
    std::array<std::uint8_t, 32> edwards;
    if (!montgomery_to_edwards(montgomery_u, 0, edwards)) return false;
    // On the curve, not of small order, and in the prime-order subgroup.
    return crypto_core_ed25519_is_valid_point(edwards.data()) == 1;
}

bool xeddsa_verify(std::span<const std::uint8_t, 32> montgomery_u, ByteView message,
                   std::span<const std::uint8_t> signature) {
    if (signature.size() != 64) return false;
    ensure_sodium();
    std::array<std::uint8_t, 32> edwards_public;
    if (!edwards_verifying_key(montgomery_u, signature[63] >> 7, edwards_public)) return false;
    std::array<std::uint8_t, 64> ed25519_signature;
    std::copy(signature.begin(), signature.end(), ed25519_signature.begin());
    ed25519_signature[63] &= 0x7f;
    // libsignal refuses an s with any of its three top bits set; libsodium
    // further refuses an s that is not reduced modulo L and small-order R
    // or A, which no honest signer produces.
    if ((ed25519_signature[63] & 0xe0) != 0) return false;
    return crypto_sign_ed25519_verify_detached(ed25519_signature.data(), message.data(), message.size(),
                                               edwards_public.data()) == 0;
}

}  // namespace cliquet::crypto
