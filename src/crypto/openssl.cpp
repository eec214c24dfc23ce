#include "crypto/openssl.hpp"

#include <openssl/err.h>
#include <openssl/evperr.h>

#include <new>
#include <string>

#include "cliquet/error.hpp"

namespace cliquet::crypto::openssl {
namespace {

template <typename T, typename Fetch>
T* fetch_once(Fetch fetch, const char* name) {
    T* algorithm = fetch(nullptr, name, nullptr);
    if (algorithm == nullptr) fail(name);
    return algorithm;
}

}  // namespace

void fail(const char* what) {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (ERR_GET_REASON(code) == ERR_R_MALLOC_FAILURE) throw std::bad_alloc();
    // A provider that cannot allocate its context for an EVP_*Init call
    // returns none, which OpenSSL 3 reports as an initialization error, with
    // no malloc failure on the queue. For the algorithms fetched here, with
    // their fixed key and IV sizes, nothing else leads there
    // (tests/alloc/alloc_openssl_test.cpp).
    if (ERR_GET_LIB(code) == ERR_LIB_EVP && ERR_GET_REASON(code) == EVP_R_INITIALIZATION_ERROR)
        throw std::bad_alloc();
    char reason[256] = {};
    ERR_error_string_n(code, reason, sizeof reason);
    throw Error(ErrorCode::unsupported, std::string("OpenSSL failed in ") + what + ": " + reason);
}

#define CLIQUET_FETCH_MD(fn, name)                                              \
    const EVP_MD* fn() {                                                        \
        static const EVP_MD* const md = fetch_once<EVP_MD>(EVP_MD_fetch, name); \
        return md;                                                              \
    }
CLIQUET_FETCH_MD(sha256, "SHA256")
CLIQUET_FETCH_MD(sha512, "SHA512")
CLIQUET_FETCH_MD(sha3_256, "SHA3-256")
CLIQUET_FETCH_MD(sha3_512, "SHA3-512")
CLIQUET_FETCH_MD(shake128, "SHAKE128")
CLIQUET_FETCH_MD(shake256, "SHAKE256")
#undef CLIQUET_FETCH_MD

#define CLIQUET_FETCH_CIPHER(fn, name)                                                      \
    const EVP_CIPHER* fn() {                                                                \
        static const EVP_CIPHER* const cipher = fetch_once<EVP_CIPHER>(EVP_CIPHER_fetch, name); \
        return cipher;                                                                      \
    }
CLIQUET_FETCH_CIPHER(aes256_cbc, "AES-256-CBC")
CLIQUET_FETCH_CIPHER(aes256_ctr, "AES-256-CTR")
CLIQUET_FETCH_CIPHER(aes256_ecb, "AES-256-ECB")
#undef CLIQUET_FETCH_CIPHER

EVP_MAC* hmac() {
    static EVP_MAC* const mac = fetch_once<EVP_MAC>(EVP_MAC_fetch, "HMAC");
    return mac;
}

EVP_KDF* hkdf() {
    static EVP_KDF* const kdf = fetch_once<EVP_KDF>(EVP_KDF_fetch, "HKDF");
    return kdf;
}

CipherCtx new_cipher_ctx() {
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::bad_alloc();
    return ctx;
}

MdCtx new_md_ctx() {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) throw std::bad_alloc();
    return ctx;
}

}  // namespace cliquet::crypto::openssl
