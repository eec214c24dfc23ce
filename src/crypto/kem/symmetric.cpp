#include "crypto/kem/symmetric.hpp"

namespace cliquet::crypto::kem {

EVP_MD_CTX* Hashing::context(openssl::MdCtx& slot) {
    if (!slot) slot = openssl::new_md_ctx();
    return slot.get();
}

void Hashing::digest(openssl::MdCtx& slot, const EVP_MD* md, std::span<std::uint8_t> out,
                     std::initializer_list<ByteView> parts, bool xof) {
    EVP_MD_CTX* ctx = context(slot);
    openssl::check(EVP_DigestInit_ex2(ctx, md, nullptr), "EVP_DigestInit_ex2");
    for (ByteView part : parts) openssl::check(EVP_DigestUpdate(ctx, part.data(), part.size()), "EVP_DigestUpdate");
    if (xof) {
        openssl::check(EVP_DigestFinalXOF(ctx, out.data(), out.size()), "EVP_DigestFinalXOF");
    } else {
        unsigned int written = 0;
        openssl::check(EVP_DigestFinal_ex(ctx, out.data(), &written), "EVP_DigestFinal_ex");
        if (written != out.size()) openssl::fail("EVP_DigestFinal_ex length");
    }
}

void Hashing::sha3_256(std::span<std::uint8_t, 32> out, std::initializer_list<ByteView> parts) {
    digest(sha3_256_, openssl::sha3_256(), out, parts, false);
}

void Hashing::sha3_512(std::span<std::uint8_t, 64> out, std::initializer_list<ByteView> parts) {
    digest(sha3_512_, openssl::sha3_512(), out, parts, false);
}

void Hashing::shake256(std::span<std::uint8_t> out, std::initializer_list<ByteView> parts) {
    digest(shake256_, openssl::shake256(), out, parts, true);
}

void Hashing::shake128_absorb(std::initializer_list<ByteView> parts) {
    EVP_MD_CTX* ctx = context(shake128_absorbed_);
    openssl::check(EVP_DigestInit_ex2(ctx, openssl::shake128(), nullptr), "EVP_DigestInit_ex2");
    for (ByteView part : parts) openssl::check(EVP_DigestUpdate(ctx, part.data(), part.size()), "EVP_DigestUpdate");
}

void Hashing::shake128_squeeze_prefix(std::span<std::uint8_t> out) {
    EVP_MD_CTX* ctx = context(shake128_squeezing_);
    openssl::check(EVP_MD_CTX_copy_ex(ctx, shake128_absorbed_.get()), "EVP_MD_CTX_copy_ex");
    openssl::check(EVP_DigestFinalXOF(ctx, out.data(), out.size()), "EVP_DigestFinalXOF");
}

}  // namespace cliquet::crypto::kem
