// AES-256 in the modes the protocol uses, through OpenSSL (AES-NI).
#pragma once

#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "crypto/openssl.hpp"

namespace cliquet::crypto {

using Aes256Key = std::span<const std::uint8_t, 32>;
using AesIv = std::span<const std::uint8_t, 16>;

// CBC with PKCS#7 padding. Decryption of a ciphertext that is empty, not a
// whole number of blocks, or badly padded is Error(invalid_message).
Bytes aes256_cbc_encrypt(Aes256Key key, AesIv iv, ByteView plaintext);
Bytes aes256_cbc_decrypt(Aes256Key key, AesIv iv, ByteView ciphertext);

// CBC without padding, as NIST SP 800-38A defines it (its known answers use
// it). Input that is not a whole number of blocks is Error(invalid_argument)
// to encrypt and Error(invalid_message) to decrypt.
Bytes aes256_cbc_encrypt_unpadded(Aes256Key key, AesIv iv, ByteView plaintext);
Bytes aes256_cbc_decrypt_unpadded(Aes256Key key, AesIv iv, ByteView ciphertext);

// CTR with a 128-bit big-endian counter block starting at `iv`; encryption
// and decryption are the same operation.
Bytes aes256_ctr(Aes256Key key, AesIv iv, ByteView input);

// One AES-256 key schedule kept for many single-block encryptions (the
// building block AES-GCM-SIV needs).
class Aes256Block {
public:
    explicit Aes256Block(Aes256Key key);
    Aes256Block(const Aes256Block&) = delete;
    Aes256Block& operator=(const Aes256Block&) = delete;
    ~Aes256Block() = default;
    // Encrypts `blocks` (a multiple of 16 bytes) in place, each independently.
    void encrypt_blocks(std::span<std::uint8_t> blocks) const;

private:
    openssl::CipherCtx ctx_;
};

}  // namespace cliquet::crypto
