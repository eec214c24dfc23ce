// RAII for OpenSSL handles, and the algorithms cliquet fetches once.
//
// Fetching an algorithm by name costs a provider lookup; doing it per call
// showed up in profiles, so each algorithm is fetched on first use and kept.
#pragma once

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

namespace cliquet::crypto::openssl {

struct CipherCtxFree { void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); } };
struct MacCtxFree { void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); } };
struct KdfCtxFree { void operator()(EVP_KDF_CTX* c) const noexcept { EVP_KDF_CTX_free(c); } };

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

// Fetched once, never freed: they live as long as the process.
const EVP_MD* sha256();
const EVP_MD* sha512();
const EVP_MD* sha3_256();
const EVP_MD* sha3_512();
const EVP_MD* shake128();
const EVP_MD* shake256();
const EVP_CIPHER* aes256_cbc();
const EVP_CIPHER* aes256_ctr();
const EVP_CIPHER* aes256_ecb();
EVP_MAC* hmac();
EVP_KDF* hkdf();

CipherCtx new_cipher_ctx();
MdCtx new_md_ctx();

// Throws std::bad_alloc or a cliquet::Error when OpenSSL fails where it
// should not (out of memory, missing provider): never a silent wrong answer.
[[noreturn]] void fail(const char* what);
inline void check(int ok, const char* what) {
    if (ok != 1) fail(what);
}

}  // namespace cliquet::crypto::openssl
