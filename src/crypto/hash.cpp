#include "crypto/hash.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "cliquet/error.hpp"

namespace cliquet::crypto {
namespace {

// OpenSSL takes non-const pointers in OSSL_PARAM even for inputs.
void* param_bytes(ByteView bytes) {
    static std::uint8_t empty = 0;
    return bytes.empty() ? &empty : const_cast<std::uint8_t*>(bytes.data());
}

}  // namespace

Sha256Digest sha256(ByteView data) {
    Sha256Digest out;
    openssl::check(EVP_Digest(data.data(), data.size(), out.data(), nullptr, openssl::sha256(), nullptr),
                   "SHA-256");
    return out;
}

Sha512Digest sha512(std::initializer_list<ByteView> parts) {
    auto ctx = openssl::new_md_ctx();
    openssl::check(EVP_DigestInit_ex(ctx.get(), openssl::sha512(), nullptr), "SHA-512 init");
    for (ByteView part : parts) openssl::check(EVP_DigestUpdate(ctx.get(), part.data(), part.size()), "SHA-512");
    Sha512Digest out;
    openssl::check(EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr), "SHA-512 final");
    return out;
}

HmacSha256::HmacSha256(ByteView key) : keyed_(EVP_MAC_CTX_new(openssl::hmac())) {
    if (!keyed_) throw std::bad_alloc();
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    openssl::check(EVP_MAC_init(keyed_.get(), static_cast<const unsigned char*>(param_bytes(key)), key.size(), params),
                   "HMAC init");
}

HmacSha256::HmacSha256(const HmacSha256& other) : keyed_(EVP_MAC_CTX_dup(other.keyed_.get())) {
    if (!keyed_) throw std::bad_alloc();
}

Sha256Digest HmacSha256::mac(std::initializer_list<ByteView> parts) const {
    openssl::MacCtx ctx(EVP_MAC_CTX_dup(keyed_.get()));
    if (!ctx) throw std::bad_alloc();
    for (ByteView part : parts) openssl::check(EVP_MAC_update(ctx.get(), part.data(), part.size()), "HMAC update");
    Sha256Digest out;
    std::size_t length = 0;
    openssl::check(EVP_MAC_final(ctx.get(), out.data(), &length, out.size()), "HMAC final");
    return out;
}

Sha256Digest hmac_sha256(ByteView key, ByteView data) { return HmacSha256(key).mac(data); }

void hkdf_sha256(std::span<std::uint8_t> out, ByteView ikm, ByteView salt, ByteView info) {
    if (out.size() > 255 * 32) throw Error(ErrorCode::invalid_argument, "HKDF output longer than 8160 bytes");
    if (out.empty()) return;
    openssl::KdfCtx ctx(EVP_KDF_CTX_new(openssl::hkdf()));
    if (!ctx) throw std::bad_alloc();
    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    std::size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_bytes(ikm), ikm.size());
    // An absent salt is, per RFC 5869, a string of HashLen zeros; OpenSSL does the same.
    if (!salt.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_bytes(salt), salt.size());
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_bytes(info), info.size());
    params[n] = OSSL_PARAM_construct_end();
    openssl::check(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params), "HKDF");
}

}  // namespace cliquet::crypto
