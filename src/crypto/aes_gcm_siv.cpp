#include "crypto/aes_gcm_siv.hpp"

#include <algorithm>
#include <array>

#include "cliquet/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/declassify.hpp"

namespace cliquet::crypto {
namespace {

constexpr std::size_t kBlock = 16;
// Counter blocks are encrypted this many at a time: large enough to keep
// AES-NI's pipeline full, small enough to live on the stack.
constexpr std::size_t kChunkBlocks = 64;

void store_le32(std::uint8_t* p, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// The per-nonce keys of RFC 8452 §4: AES of LE32(i) || nonce for i = 0..5,
// keeping the first half of each block; blocks 0-1 key POLYVAL, blocks 2-5
// key AES.
struct PerNonceKeys {
    SecretArray<16> authentication;
    SecretArray<32> encryption;
};

PerNonceKeys derive_keys(AesGcmSivKey key, AesGcmSivNonce nonce) {
    SecretArray<6 * kBlock> blocks;
    for (std::uint32_t i = 0; i < 6; ++i) {
        std::uint8_t* block = blocks.data() + i * kBlock;
        store_le32(block, i);
        std::copy(nonce.begin(), nonce.end(), block + 4);
    }
    Aes256Block(key).encrypt_blocks(blocks.span());
    PerNonceKeys keys;
    for (std::size_t i = 0; i < 2; ++i) std::copy_n(blocks.data() + i * kBlock, 8, keys.authentication.data() + 8 * i);
    for (std::size_t i = 0; i < 4; ++i)
        std::copy_n(blocks.data() + (i + 2) * kBlock, 8, keys.encryption.data() + 8 * i);
    return keys;
}

// RFC 8452 §4: POLYVAL over the padded AAD, the padded plaintext and their
// bit lengths, then the nonce mixed in, the top bit cleared, and encrypted.
SecretArray<16> compute_tag(const PerNonceKeys& keys, const Aes256Block& cipher, AesGcmSivNonce nonce,
                            ByteView plaintext, ByteView aad, PolyvalBackend backend) {
    Polyval polyval(keys.authentication.span(), backend);
    polyval.update_padded(aad);
    polyval.update_padded(plaintext);
    std::array<std::uint8_t, kBlock> lengths;
    store_le64(lengths.data(), static_cast<std::uint64_t>(aad.size()) * 8);
    store_le64(lengths.data() + 8, static_cast<std::uint64_t>(plaintext.size()) * 8);
    polyval.update_padded(lengths);
    SecretArray<16> tag = polyval.digest();
    for (std::size_t i = 0; i < nonce.size(); ++i) tag.data()[i] ^= nonce[i];
    tag.data()[15] &= 0x7f;
    cipher.encrypt_blocks(tag.span());
    return tag;
}

// XORs `in` with the keystream of RFC 8452's CTR mode into `out`: the
// initial counter block is the tag with its top bit set, and only its first
// 32 bits, little-endian, count (wrapping modulo 2^32).
void ctr_xor(const Aes256Block& cipher, std::span<const std::uint8_t, kBlock> tag, ByteView in, std::uint8_t* out) {
    std::array<std::uint8_t, kBlock> initial;
    std::copy(tag.begin(), tag.end(), initial.begin());
    initial[15] |= 0x80;
    std::uint32_t counter = load_le32(initial.data());

    SecretArray<kChunkBlocks * kBlock> stream;
    std::size_t done = 0;
    while (done < in.size()) {
        const std::size_t bytes = std::min(in.size() - done, kChunkBlocks * kBlock);
        const std::size_t blocks = (bytes + kBlock - 1) / kBlock;
        for (std::size_t b = 0; b < blocks; ++b) {
            std::uint8_t* block = stream.data() + b * kBlock;
            store_le32(block, counter++);
            std::copy(initial.begin() + 4, initial.end(), block + 4);
        }
        cipher.encrypt_blocks(stream.span().first(blocks * kBlock));
        for (std::size_t i = 0; i < bytes; ++i) out[done + i] = in[done + i] ^ stream.data()[i];
        done += bytes;
    }
}

}  // namespace

Bytes aes256_gcm_siv_encrypt(AesGcmSivKey key, AesGcmSivNonce nonce, ByteView plaintext, ByteView aad,
                             PolyvalBackend backend) {
    if (plaintext.size() > kAesGcmSivMaxPlaintext)
        throw Error(ErrorCode::invalid_argument, "AES-GCM-SIV plaintext is longer than 2^36 bytes");
    if (aad.size() > kAesGcmSivMaxAad)
        throw Error(ErrorCode::invalid_argument, "AES-GCM-SIV associated data is longer than 2^36 bytes");
    const PerNonceKeys keys = derive_keys(key, nonce);
    const Aes256Block cipher(keys.encryption.span());
    const SecretArray<16> tag = compute_tag(keys, cipher, nonce, plaintext, aad, backend);

    Bytes out(plaintext.size() + kAesGcmSivTagSize);
    ctr_xor(cipher, tag.span(), plaintext, out.data());
    std::copy(tag.data(), tag.data() + kAesGcmSivTagSize, out.begin() + static_cast<std::ptrdiff_t>(plaintext.size()));
    return out;
}

Bytes aes256_gcm_siv_decrypt(AesGcmSivKey key, AesGcmSivNonce nonce, ByteView ciphertext_and_tag, ByteView aad,
                             PolyvalBackend backend) {
    if (ciphertext_and_tag.size() < kAesGcmSivTagSize)
        throw Error(ErrorCode::invalid_message, "AES-GCM-SIV ciphertext is shorter than its tag");
    if (ciphertext_and_tag.size() - kAesGcmSivTagSize > kAesGcmSivMaxPlaintext)
        throw Error(ErrorCode::invalid_message, "AES-GCM-SIV ciphertext is longer than 2^36 + 16 bytes");
    if (aad.size() > kAesGcmSivMaxAad)
        throw Error(ErrorCode::invalid_message, "AES-GCM-SIV associated data is longer than 2^36 bytes");
    const ByteView ciphertext = ciphertext_and_tag.first(ciphertext_and_tag.size() - kAesGcmSivTagSize);
    const auto received_tag = ciphertext_and_tag.last<kAesGcmSivTagSize>();

    const PerNonceKeys keys = derive_keys(key, nonce);
    const Aes256Block cipher(keys.encryption.span());
    Bytes plaintext(ciphertext.size());
    ctr_xor(cipher, received_tag, ciphertext, plaintext.data());
    bool authentic = false;
    try {
        const SecretArray<16> expected_tag = compute_tag(keys, cipher, nonce, plaintext, aad, backend);
        // The verdict is public (the caller learns it anyway); declassifying
        // it lets the constant-time check (tests/ct) follow the branch below.
        authentic = declassified(constant_time_equal(expected_tag.span(), received_tag));
    } catch (...) {
        secure_wipe(plaintext.data(), plaintext.size());
        throw;
    }
    if (!authentic) {
        secure_wipe(plaintext.data(), plaintext.size());
        throw Error(ErrorCode::invalid_message, "AES-GCM-SIV tag does not match");
    }
    return plaintext;
}

}  // namespace cliquet::crypto
