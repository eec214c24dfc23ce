// The symmetric primitives of FIPS 203 §4.1 (and of Kyber round 3), all
// SHA-3 family functions computed by OpenSSL:
//   H   = SHA3-256            G = SHA3-512
//   J   = SHAKE256 to 32 bytes (ML-KEM implicit rejection)
//   KDF = SHAKE256 to 32 bytes (Kyber round 3 key derivation)
//   PRF = SHAKE256(s || b)    XOF = SHAKE128 (matrix expansion)
//
// One Hashing object serves one KEM operation: it keeps an OpenSSL context
// per function so that the ~30 hash calls of an operation reuse them, and
// frees them (OpenSSL wipes Keccak states on free) when the operation ends.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>

#include "cliquet/bytes.hpp"
#include "crypto/openssl.hpp"

namespace cliquet::crypto::kem {

class Hashing {
public:
    Hashing() = default;
    Hashing(const Hashing&) = delete;
    Hashing& operator=(const Hashing&) = delete;

    void sha3_256(std::span<std::uint8_t, 32> out, std::initializer_list<ByteView> parts);
    void sha3_512(std::span<std::uint8_t, 64> out, std::initializer_list<ByteView> parts);
    void shake256(std::span<std::uint8_t> out, std::initializer_list<ByteView> parts);

    // SHAKE128 as a reader: absorb() starts a new stream; squeeze_prefix()
    // returns its first out.size() bytes. OpenSSL 3.0 can finalize an XOF
    // only once, so each call finalizes a copy of the absorbed state; a
    // longer request returns the shorter one as its prefix.
    void shake128_absorb(std::initializer_list<ByteView> parts);
    void shake128_squeeze_prefix(std::span<std::uint8_t> out);

private:
    EVP_MD_CTX* context(openssl::MdCtx& slot);
    void digest(openssl::MdCtx& slot, const EVP_MD* md, std::span<std::uint8_t> out,
                std::initializer_list<ByteView> parts, bool xof);

    openssl::MdCtx sha3_256_;
    openssl::MdCtx sha3_512_;
    openssl::MdCtx shake256_;
    openssl::MdCtx shake128_absorbed_;
    openssl::MdCtx shake128_squeezing_;
};

}  // namespace cliquet::crypto::kem
