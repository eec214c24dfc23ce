// OpenSSL 3 marks SHA256_Init/Update/Final deprecated in favour of EVP. We
// use them on purpose, before any OpenSSL header is read: they run the same
// SHA-NI assembly as EVP, but their state is a plain struct that copies
// without the provider's heap allocation, which is what makes a precomputed
// HMAC key cheap (see hash.hpp and bench/README.md).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "crypto/hash.hpp"

#include <algorithm>

#include "cliquet/error.hpp"
#include "crypto/openssl.hpp"

namespace cliquet::crypto {
namespace {

constexpr std::size_t kBlockSize = 64;
constexpr std::size_t kMaxHkdfOutput = 255 * 32;

// SHA256_Init/Update/Final return 1 whatever their input: there is no
// failure to check.
void absorb(SHA256_CTX& ctx, ByteView data) noexcept { SHA256_Update(&ctx, data.data(), data.size()); }

// OpenSSL 3.0's one-shot SHA256() fetches the algorithm on every call
// (about 250 ns); the low-level calls do not.
void sha256_into(std::uint8_t* out, ByteView data) noexcept {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    absorb(ctx, data);
    SHA256_Final(out, &ctx);
    secure_wipe(&ctx, sizeof ctx);
}

// HMAC with an empty key: the key an absent HKDF salt stands for (HashLen
// zero bytes, which pad to the same block as no bytes at all). Public.
const HmacSha256& unsalted() noexcept {
    static const HmacSha256 zero_key{ByteView{}};
    return zero_key;
}

}  // namespace

Sha256Digest sha256(ByteView data) {
    Sha256Digest out;
    sha256_into(out.data(), data);
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

HmacSha256::HmacSha256(ByteView key) noexcept {
    // RFC 2104: a key longer than the block is hashed first, a shorter one
    // padded with zeros; the pads are the key XOR 0x36.. and XOR 0x5c..
    std::array<std::uint8_t, kBlockSize> block{};
    if (key.size() > kBlockSize)
        sha256_into(block.data(), key);
    else
        std::copy(key.begin(), key.end(), block.begin());
    for (auto& byte : block) byte ^= 0x36;
    SHA256_Init(&inner_);
    absorb(inner_, block);
    for (auto& byte : block) byte ^= 0x36 ^ 0x5c;
    SHA256_Init(&outer_);
    absorb(outer_, block);
    secure_wipe(block.data(), block.size());
}

HmacSha256::~HmacSha256() {
    secure_wipe(&inner_, sizeof inner_);
    secure_wipe(&outer_, sizeof outer_);
}

void HmacSha256::mac_into(std::span<std::uint8_t, 32> out, std::initializer_list<ByteView> parts) const noexcept {
    // Every part is absorbed before `out` is written, so `out` may overlap
    // a part (HKDF's expand feeds each block into the next).
    SHA256_CTX ctx = inner_;
    for (ByteView part : parts) absorb(ctx, part);
    SHA256_Final(out.data(), &ctx);
    ctx = outer_;
    absorb(ctx, out);
    SHA256_Final(out.data(), &ctx);
    secure_wipe(&ctx, sizeof ctx);
}

Sha256Digest HmacSha256::mac(std::initializer_list<ByteView> parts) const noexcept {
    Sha256Digest out;
    mac_into(out, parts);
    return out;
}

Sha256Digest hmac_sha256(ByteView key, ByteView data) { return HmacSha256(key).mac(data); }

void hkdf_sha256_expand(std::span<std::uint8_t> out, const HmacSha256& prk, ByteView info) {
    if (out.size() > kMaxHkdfOutput) throw Error(ErrorCode::invalid_argument, "HKDF output longer than 8160 bytes");
    // T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty; the output is T(1) | T(2) | ...
    SecretArray<32> block;
    std::uint8_t counter = 0;
    for (std::size_t done = 0; done < out.size();) {
        const ByteView previous = counter == 0 ? ByteView{} : ByteView(block.span());
        ++counter;
        prk.mac_into(block.span(), {previous, info, ByteView(&counter, 1)});
        const std::size_t n = std::min(block.size(), out.size() - done);
        std::copy_n(block.data(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
}

void hkdf_sha256(std::span<std::uint8_t> out, ByteView ikm, ByteView salt, ByteView info) {
    if (out.size() > kMaxHkdfOutput) throw Error(ErrorCode::invalid_argument, "HKDF output longer than 8160 bytes");
    if (out.empty()) return;
    // Extract: PRK = HMAC(salt, IKM).
    SecretArray<32> prk;
    if (salt.empty())
        unsalted().mac_into(prk.span(), {ikm});
    else
        HmacSha256(salt).mac_into(prk.span(), {ikm});
    hkdf_sha256_expand(out, HmacSha256(prk.span()), info);
}

}  // namespace cliquet::crypto
