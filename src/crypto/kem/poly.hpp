// Polynomials of R_q = Z_q[X]/(X^256 + 1) and vectors of them, with the
// number-theoretic transform of FIPS 203 §4.3.
//
// Invariants the callers rely on (checked by the bounds comments below, and
// by tests on extreme inputs):
//  - ntt() takes coefficients of absolute value < q and returns them reduced
//    to [-(q-1)/2, (q-1)/2];
//  - multiply_accumulate() takes one operand with |coefficients| < 2^12 and
//    one reduced operand, for up to four pairs, and returns values in (-q, q)
//    scaled by R^-1;
//  - inverse_ntt() scales by R, undoing that factor.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/kem/field.hpp"

namespace cliquet::crypto::kem {

inline constexpr std::size_t kMaxRank = 4;

struct Poly {
    std::array<std::int16_t, kN> c{};
};

// A vector of `rank` polynomials (rank is 3 or 4 here), stored in place.
struct PolyVec {
    std::array<Poly, kMaxRank> p{};
};

// In-place forward NTT (FIPS 203 Algorithm 9), output reduced.
void ntt(Poly& f);
// In-place inverse NTT (FIPS 203 Algorithm 10) times R: undoes the R^-1 left
// by multiply_accumulate().
void inverse_ntt(Poly& f);

// out = (sum over i < rank of a[i] * b[i]) R^-1, all in the NTT domain
// (FIPS 203 Algorithms 11 and 12, accumulated before a single reduction).
void multiply_accumulate(Poly& out, const PolyVec& a, const PolyVec& b, std::size_t rank);

// Coefficient-wise operations.
void add_to(Poly& acc, const Poly& x);
void subtract_from(Poly& acc, const Poly& x);
void reduce(Poly& f);
// Multiplies every coefficient by R (Montgomery form of the plain value).
void to_montgomery(Poly& f);

}  // namespace cliquet::crypto::kem
