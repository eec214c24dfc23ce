#include "crypto/kem/poly.hpp"

namespace cliquet::crypto::kem {
namespace {

// R^2 / 128 mod q: the inverse NTT's butterflies leave a factor 128, and the
// last multiplication (by this constant, with a Montgomery reduction) both
// removes it and brings back the R lost in multiply_accumulate().
inline constexpr std::int16_t kInverseNttScale =
    detail::centered(detail::mod_q(kR * kR) * detail::pow_mod_q(128, kQ - 2));

}  // namespace

void ntt(Poly& f) {
    // Cooley-Tukey butterflies. Each of the 7 layers adds less than q to the
    // magnitude, so inputs below q stay below 8q < 2^15.
    std::size_t k = 1;
    for (std::size_t len = 128; len >= 2; len /= 2) {
        for (std::size_t start = 0; start < kN; start += 2 * len) {
            const std::int16_t zeta = kZetasMont[k++];
            for (std::size_t j = start; j < start + len; ++j) {
                const std::int16_t t = mont_mul(zeta, f.c[j + len]);
                f.c[j + len] = static_cast<std::int16_t>(f.c[j] - t);
                f.c[j] = static_cast<std::int16_t>(f.c[j] + t);
            }
        }
    }
    reduce(f);
}

void inverse_ntt(Poly& f) {
    // Gentleman-Sande butterflies; the sums are reduced at every layer so
    // that no coefficient exceeds 2q.
    std::size_t k = 127;
    for (std::size_t len = 2; len <= 128; len *= 2) {
        for (std::size_t start = 0; start < kN; start += 2 * len) {
            const std::int16_t zeta = kZetasMont[k--];
            for (std::size_t j = start; j < start + len; ++j) {
                const std::int16_t t = f.c[j];
                f.c[j] = barrett_reduce(static_cast<std::int16_t>(t + f.c[j + len]));
                f.c[j + len] = mont_mul(zeta, static_cast<std::int16_t>(f.c[j + len] - t));
            }
        }
    }
    for (auto& x : f.c) x = mont_mul(x, kInverseNttScale);
}

void multiply_accumulate(Poly& out, const PolyVec& a, const PolyVec& b, std::size_t rank) {
    // Per pair i, (a0 + a1 X)(b0 + b1 X) mod (X^2 - gamma_i). With |a| < 2^12
    // and |b| <= (q-1)/2, each term of either sum is below 2^23.6 and four of
    // them stay below q 2^15, the bound of montgomery_reduce().
    std::array<std::int32_t, kN> acc{};
    for (std::size_t v = 0; v < rank; ++v) {
        const auto& x = a.p[v].c;
        const auto& y = b.p[v].c;
        for (std::size_t i = 0; i < kN / 2; ++i) {
            const std::int32_t a0 = x[2 * i], a1 = x[2 * i + 1];
            const std::int32_t b0 = y[2 * i], b1 = y[2 * i + 1];
            const std::int32_t a1b1 = montgomery_reduce(a1 * b1);
            acc[2 * i] += a0 * b0 + a1b1 * kGammasMont[i];
            acc[2 * i + 1] += a0 * b1 + a1 * b0;
        }
    }
    for (std::size_t i = 0; i < kN; ++i) out.c[i] = montgomery_reduce(acc[i]);
}

void add_to(Poly& acc, const Poly& x) {
    for (std::size_t i = 0; i < kN; ++i) acc.c[i] = static_cast<std::int16_t>(acc.c[i] + x.c[i]);
}

void subtract_from(Poly& acc, const Poly& x) {
    for (std::size_t i = 0; i < kN; ++i) acc.c[i] = static_cast<std::int16_t>(acc.c[i] - x.c[i]);
}

void reduce(Poly& f) {
    for (auto& x : f.c) x = barrett_reduce(x);
}

void to_montgomery(Poly& f) {
    for (auto& x : f.c) x = mont_mul(x, kR2ModQ);
}

}  // namespace cliquet::crypto::kem
