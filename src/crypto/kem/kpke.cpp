#include "crypto/kem/kpke.hpp"

#include "crypto/kem/encoding.hpp"
#include "crypto/kem/sampling.hpp"

namespace cliquet::crypto::kem {
namespace {

std::span<const std::uint8_t, kPolyBytes> poly_bytes(std::span<const std::uint8_t> bytes, std::size_t index) {
    return bytes.subspan(index * kPolyBytes).first<kPolyBytes>();
}

std::span<std::uint8_t, kPolyBytes> poly_bytes(std::span<std::uint8_t> bytes, std::size_t index) {
    return bytes.subspan(index * kPolyBytes).first<kPolyBytes>();
}

std::size_t u_bytes(const Params& p) { return 32 * p.du * p.rank; }

}  // namespace

void pke_keygen(const Params& p, Hashing& hashing, std::span<const std::uint8_t, 32> rho,
                std::span<const std::uint8_t, 32> sigma, std::span<std::uint8_t> ek_pke,
                std::span<std::uint8_t> dk_pke) {
    PolyVec s, e;
    WipeOnExit wipe_s(s), wipe_e(e);
    std::uint8_t nonce = 0;
    for (std::size_t i = 0; i < p.rank; ++i) sample_noise(s.p[i], hashing, sigma, nonce++);
    for (std::size_t i = 0; i < p.rank; ++i) sample_noise(e.p[i], hashing, sigma, nonce++);
    for (std::size_t i = 0; i < p.rank; ++i) {
        ntt(s.p[i]);
        ntt(e.p[i]);
    }

    // t = A s + e, one row of A at a time.
    PolyVec row;
    Poly t;
    for (std::size_t i = 0; i < p.rank; ++i) {
        for (std::size_t j = 0; j < p.rank; ++j)
            sample_matrix_entry(row.p[j], hashing, rho, static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(j));
        multiply_accumulate(t, row, s, p.rank);
        to_montgomery(t);
        add_to(t, e.p[i]);
        reduce(t);
        encode12(poly_bytes(ek_pke, i), t);
    }
    std::copy(rho.begin(), rho.end(), ek_pke.begin() + static_cast<std::ptrdiff_t>(p.rank * kPolyBytes));
    for (std::size_t i = 0; i < p.rank; ++i) encode12(poly_bytes(dk_pke, i), s.p[i]);
}

void sample_encryption_noise(const Params& p, Hashing& hashing, std::span<const std::uint8_t, 32> coins,
                             EncryptionNoise& noise) {
    std::uint8_t nonce = 0;
    for (std::size_t i = 0; i < p.rank; ++i) sample_noise(noise.r_hat.p[i], hashing, coins, nonce++);
    for (std::size_t i = 0; i < p.rank; ++i) sample_noise(noise.e1.p[i], hashing, coins, nonce++);
    sample_noise(noise.e2, hashing, coins, nonce);
    for (std::size_t i = 0; i < p.rank; ++i) ntt(noise.r_hat.p[i]);
}

void encrypt_u(const Params& p, Hashing& hashing, std::span<const std::uint8_t, 32> rho,
               const EncryptionNoise& noise, std::span<std::uint8_t> c1) {
    // u[i] = sum over j of A[j][i] r[j]: the i-th column of A, i.e. row of A^T.
    PolyVec column;
    Poly u;
    WipeOnExit wipe_u(u);
    const std::size_t stride = 32 * p.du;
    for (std::size_t i = 0; i < p.rank; ++i) {
        for (std::size_t j = 0; j < p.rank; ++j)
            sample_matrix_entry(column.p[j], hashing, rho, static_cast<std::uint8_t>(j), static_cast<std::uint8_t>(i));
        multiply_accumulate(u, column, noise.r_hat, p.rank);
        inverse_ntt(u);
        add_to(u, noise.e1.p[i]);
        reduce(u);
        compress_encode(c1.subspan(i * stride, stride), u, p.du);
    }
}

void encrypt_v(const Params& p, std::span<const std::uint8_t> t_encoded, const EncryptionNoise& noise,
               std::span<const std::uint8_t, 32> message, std::span<std::uint8_t> c2) {
    PolyVec t_hat;
    for (std::size_t i = 0; i < p.rank; ++i) decode12(t_hat.p[i], poly_bytes(t_encoded, i));
    Poly v, mu;
    WipeOnExit wipe_v(v), wipe_mu(mu);
    multiply_accumulate(v, t_hat, noise.r_hat, p.rank);
    inverse_ntt(v);
    add_to(v, noise.e2);
    message_to_poly(mu, message);
    add_to(v, mu);
    reduce(v);
    compress_encode(c2, v, p.dv);
}

void pke_encrypt(const Params& p, Hashing& hashing, std::span<const std::uint8_t> ek_pke,
                 std::span<const std::uint8_t, 32> message, std::span<const std::uint8_t, 32> coins,
                 std::span<std::uint8_t> ciphertext) {
    EncryptionNoise noise;
    WipeOnExit wipe_noise(noise);
    sample_encryption_noise(p, hashing, coins, noise);
    const auto rho = ek_pke.subspan(p.rank * kPolyBytes).first<32>();
    encrypt_u(p, hashing, rho, noise, ciphertext.first(u_bytes(p)));
    encrypt_v(p, ek_pke.first(p.rank * kPolyBytes), noise, message, ciphertext.subspan(u_bytes(p)));
}

bool passes_modulus_check(const Params& p, std::span<const std::uint8_t> t_encoded) {
    Poly f;
    for (std::size_t i = 0; i < p.rank; ++i) {
        decode12(f, poly_bytes(t_encoded, i));
        if (!has_only_canonical_coefficients(f)) return false;
    }
    return true;
}

void pke_decrypt(const Params& p, std::span<const std::uint8_t> dk_pke, std::span<const std::uint8_t> ciphertext,
                 std::span<std::uint8_t, 32> message) {
    // w = v - NTT^-1(s^T NTT(u))
    PolyVec u_hat, s_hat;
    WipeOnExit wipe_s(s_hat);
    const std::size_t stride = 32 * p.du;
    for (std::size_t i = 0; i < p.rank; ++i) {
        decode_decompress(u_hat.p[i], ciphertext.subspan(i * stride, stride), p.du);
        ntt(u_hat.p[i]);
        decode12(s_hat.p[i], poly_bytes(dk_pke, i));
    }
    Poly w, v;
    WipeOnExit wipe_w(w), wipe_v(v);
    multiply_accumulate(w, s_hat, u_hat, p.rank);
    inverse_ntt(w);
    decode_decompress(v, ciphertext.subspan(u_bytes(p)), p.dv);
    subtract_from(v, w);
    reduce(v);
    poly_to_message(message, v);
}

}  // namespace cliquet::crypto::kem
