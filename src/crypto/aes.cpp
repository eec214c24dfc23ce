#include "crypto/aes.hpp"

#include <climits>

#include "cliquet/error.hpp"
#include "crypto/openssl.hpp"

namespace cliquet::crypto {
namespace {

int checked_length(std::size_t size) {
    if (size > static_cast<std::size_t>(INT_MAX - 32)) throw Error(ErrorCode::invalid_argument, "input too large for AES");
    return static_cast<int>(size);
}

}  // namespace

Bytes aes256_cbc_encrypt(Aes256Key key, AesIv iv, ByteView plaintext) {
    auto ctx = openssl::new_cipher_ctx();
    openssl::check(EVP_EncryptInit_ex2(ctx.get(), openssl::aes256_cbc(), key.data(), iv.data(), nullptr), "CBC init");
    Bytes out(plaintext.size() + 16);
    int written = 0;
    int final_written = 0;
    openssl::check(EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(), checked_length(plaintext.size())),
                   "CBC encrypt");
    openssl::check(EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &final_written), "CBC final");
    out.resize(static_cast<std::size_t>(written + final_written));
    return out;
}

Bytes aes256_cbc_decrypt(Aes256Key key, AesIv iv, ByteView ciphertext) {
    if (ciphertext.empty() || ciphertext.size() % 16 != 0)
        throw Error(ErrorCode::invalid_message, "CBC ciphertext is not a positive whole number of blocks");
    auto ctx = openssl::new_cipher_ctx();
    openssl::check(EVP_DecryptInit_ex2(ctx.get(), openssl::aes256_cbc(), key.data(), iv.data(), nullptr), "CBC init");
    Bytes out(ciphertext.size() + 16);
    int written = 0;
    int final_written = 0;
    openssl::check(EVP_DecryptUpdate(ctx.get(), out.data(), &written, ciphertext.data(), checked_length(ciphertext.size())),
                   "CBC decrypt");
    // The ciphertext was authenticated before we got here, so a padding
    // failure is not an oracle; it still must not leak plaintext.
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &final_written) != 1) {
        secure_wipe(out.data(), out.size());
        throw Error(ErrorCode::invalid_message, "CBC padding is invalid");
    }
    out.resize(static_cast<std::size_t>(written + final_written));
    return out;
}

Bytes aes256_cbc_encrypt_unpadded(Aes256Key key, AesIv iv, ByteView plaintext) {
    if (plaintext.size() % 16 != 0)
        throw Error(ErrorCode::invalid_argument, "unpadded CBC plaintext is not a whole number of blocks");
    auto ctx = openssl::new_cipher_ctx();
    openssl::check(EVP_EncryptInit_ex2(ctx.get(), openssl::aes256_cbc(), key.data(), iv.data(), nullptr), "CBC init");
    openssl::check(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "CBC padding");
    Bytes out(plaintext.size());
    int written = 0;
    if (!plaintext.empty())
        openssl::check(EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(),
                                         checked_length(plaintext.size())),
                       "CBC encrypt");
    return out;
}

Bytes aes256_cbc_decrypt_unpadded(Aes256Key key, AesIv iv, ByteView ciphertext) {
    if (ciphertext.size() % 16 != 0)
        throw Error(ErrorCode::invalid_message, "unpadded CBC ciphertext is not a whole number of blocks");
    auto ctx = openssl::new_cipher_ctx();
    openssl::check(EVP_DecryptInit_ex2(ctx.get(), openssl::aes256_cbc(), key.data(), iv.data(), nullptr), "CBC init");
    openssl::check(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "CBC padding");
    Bytes out(ciphertext.size());
    int written = 0;
    if (!ciphertext.empty())
        openssl::check(EVP_DecryptUpdate(ctx.get(), out.data(), &written, ciphertext.data(),
                                         checked_length(ciphertext.size())),
                       "CBC decrypt");
    return out;
}

Bytes aes256_ctr(Aes256Key key, AesIv iv, ByteView input) {
    auto ctx = openssl::new_cipher_ctx();
    openssl::check(EVP_EncryptInit_ex2(ctx.get(), openssl::aes256_ctr(), key.data(), iv.data(), nullptr), "CTR init");
    Bytes out(input.size());
    int written = 0;
    if (!input.empty())
        openssl::check(EVP_EncryptUpdate(ctx.get(), out.data(), &written, input.data(), checked_length(input.size())),
                       "CTR");
    return out;
}

Aes256Block::Aes256Block(Aes256Key key) : ctx_(openssl::new_cipher_ctx()) {
    openssl::check(EVP_EncryptInit_ex2(ctx_.get(), openssl::aes256_ecb(), key.data(), nullptr, nullptr), "ECB init");
    openssl::check(EVP_CIPHER_CTX_set_padding(ctx_.get(), 0), "ECB padding");
}

void Aes256Block::encrypt_blocks(std::span<std::uint8_t> blocks) const {
    if (blocks.size() % 16 != 0) throw Error(ErrorCode::invalid_argument, "AES block input is not whole blocks");
    if (blocks.empty()) return;
    int written = 0;
    openssl::check(EVP_EncryptUpdate(ctx_.get(), blocks.data(), &written, blocks.data(),
                                     checked_length(blocks.size())),
                   "ECB");
}

}  // namespace cliquet::crypto
