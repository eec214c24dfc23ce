// Sampling of polynomials (FIPS 203 §4.2.2): uniform NTT-domain entries of
// the public matrix, and small centered-binomial noise.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/kem/poly.hpp"
#include "crypto/kem/symmetric.hpp"

namespace cliquet::crypto::kem {

// The matrix entry A[i][j] = SampleNTT(rho || j || i) (FIPS 203 Algorithm 7,
// as used in Algorithms 13 and 14; Kyber round 3 orders the indices alike).
// rho is public, so the rejection loop may branch on the XOF output.
void sample_matrix_entry(Poly& out, Hashing& hashing, std::span<const std::uint8_t, 32> seed_rho,
                         std::uint8_t i, std::uint8_t j);

// CBD_2(PRF_2(sigma, nonce)) (FIPS 203 Algorithms 8 and §4.1 PRF): every
// parameter set here uses eta = 2 for both noise distributions.
void sample_noise(Poly& out, Hashing& hashing, std::span<const std::uint8_t, 32> seed_sigma,
                  std::uint8_t nonce);

// The centered binomial distribution with eta = 2 on 128 bytes, exposed for
// tests: each coefficient is (b0 + b1) - (b2 + b3) over four input bits.
void centered_binomial_eta2(Poly& out, std::span<const std::uint8_t, 128> bytes);

}  // namespace cliquet::crypto::kem
