#include "crypto/polyval.hpp"

#include <cstring>

#include "cliquet/error.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CLIQUET_POLYVAL_HAVE_CLMUL 1
#else
#define CLIQUET_POLYVAL_HAVE_CLMUL 0
#endif

namespace cliquet::crypto {
namespace {

std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// ---- portable carry-less multiplication -----------------------------------
//
// An integer multiply of operands that keep only every fourth bit sums at
// most 16 partial products per output bit; with the operands split into the
// four residue classes mod 4, each sum fits in the four bits before the next
// kept bit (or overflows past bit 63, where it is discarded), so the kept
// bit is the parity: the carry-less product. This yields the low 64 bits of
// a 64x64 product; the high bits come from the same routine on bit-reversed
// operands.

std::uint64_t clmul_low(std::uint64_t x, std::uint64_t y) noexcept {
    constexpr std::uint64_t m0 = 0x1111111111111111u;
    constexpr std::uint64_t m1 = m0 << 1;
    constexpr std::uint64_t m2 = m0 << 2;
    constexpr std::uint64_t m3 = m0 << 3;
    const std::uint64_t x0 = x & m0, x1 = x & m1, x2 = x & m2, x3 = x & m3;
    const std::uint64_t y0 = y & m0, y1 = y & m1, y2 = y & m2, y3 = y & m3;
    // z_k collects the products whose bits land on positions = k (mod 4).
    const std::uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    const std::uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    const std::uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    const std::uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & m0) | (z1 & m1) | (z2 & m2) | (z3 & m3);
}

std::uint64_t reverse_bits(std::uint64_t v) noexcept {
    v = ((v >> 1) & 0x5555555555555555u) | ((v & 0x5555555555555555u) << 1);
    v = ((v >> 2) & 0x3333333333333333u) | ((v & 0x3333333333333333u) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fu) | ((v & 0x0f0f0f0f0f0f0f0fu) << 4);
    v = ((v >> 8) & 0x00ff00ff00ff00ffu) | ((v & 0x00ff00ff00ff00ffu) << 8);
    v = ((v >> 16) & 0x0000ffff0000ffffu) | ((v & 0x0000ffff0000ffffu) << 16);
    return (v >> 32) | (v << 32);
}

// The 128-bit carry-less product of x and y as {low, high}.
void clmul64(std::uint64_t out[2], std::uint64_t x, std::uint64_t y) noexcept {
    out[0] = clmul_low(x, y);
    // Reversal maps the product's degree-126 coefficient to degree 0; the
    // low half of the reversed product is the reversed high part, one bit off.
    out[1] = reverse_bits(clmul_low(reverse_bits(x), reverse_bits(y))) >> 1;
}

// The 256-bit carry-less product a * b (Karatsuba, three 64x64 products).
void multiply_portable(std::uint64_t t[4], const std::uint64_t a[2], const std::uint64_t b[2]) noexcept {
    std::uint64_t lo[2], hi[2], mid[2];
    clmul64(lo, a[0], b[0]);
    clmul64(hi, a[1], b[1]);
    clmul64(mid, a[0] ^ a[1], b[0] ^ b[1]);
    mid[0] ^= lo[0] ^ hi[0];
    mid[1] ^= lo[1] ^ hi[1];
    t[0] = lo[0];
    t[1] = lo[1] ^ mid[0];
    t[2] = hi[0] ^ mid[1];
    t[3] = hi[1];
}

#if CLIQUET_POLYVAL_HAVE_CLMUL
__attribute__((target("pclmul,sse2"))) void multiply_clmul(std::uint64_t t[4], const std::uint64_t a[2],
                                                           const std::uint64_t b[2]) noexcept {
    const __m128i va = _mm_set_epi64x(static_cast<long long>(a[1]), static_cast<long long>(a[0]));
    const __m128i vb = _mm_set_epi64x(static_cast<long long>(b[1]), static_cast<long long>(b[0]));
    const __m128i lo = _mm_clmulepi64_si128(va, vb, 0x00);
    const __m128i hi = _mm_clmulepi64_si128(va, vb, 0x11);
    const __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(va, vb, 0x01), _mm_clmulepi64_si128(va, vb, 0x10));
    std::uint64_t l[2], h[2], m[2];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(l), lo);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), hi);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(m), mid);
    t[0] = l[0];
    t[1] = l[1] ^ m[0];
    t[2] = h[0] ^ m[1];
    t[3] = h[1];
}
#endif

// t * x^-128 mod P, for a 256-bit t, into out. The modulus is 1 (mod x^64),
// so adding (limb * P) shifted into place clears one low limb at a time;
// P's other terms x^121, x^126, x^127 and x^128 become shifts. Two rounds
// divide by x^128 and leave a result below degree 128.
void montgomery_reduce(std::uint64_t out[2], std::uint64_t t[4]) noexcept {
    for (int i = 0; i < 2; ++i) {
        const std::uint64_t c = t[i];
        // c * (x^121 + x^126 + x^127) lands across limbs i+1 and i+2.
        t[i + 1] ^= (c << 57) ^ (c << 62) ^ (c << 63);
        t[i + 2] ^= (c >> 7) ^ (c >> 2) ^ (c >> 1) ^ c;  // the last term is c * x^128
    }
    out[0] = t[2];
    out[1] = t[3];
}

}  // namespace

bool polyval_clmul_available() noexcept {
#if CLIQUET_POLYVAL_HAVE_CLMUL
    // The explicit init makes the answer right even during static
    // initialisation, before the runtime has probed the processor.
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("pclmul") != 0;
    }();
    return available;
#else
    return false;
#endif
}

Polyval::Polyval(std::span<const std::uint8_t, 16> key, PolyvalBackend backend) : h_{}, acc_{}, use_clmul_(false) {
    switch (backend) {
        case PolyvalBackend::automatic: use_clmul_ = polyval_clmul_available(); break;
        case PolyvalBackend::portable: use_clmul_ = false; break;
        case PolyvalBackend::clmul:
            if (!polyval_clmul_available())
                throw Error(ErrorCode::unsupported, "this processor has no carry-less multiply instruction");
            use_clmul_ = true;
            break;
    }
    h_[0] = load_le64(key.data());
    h_[1] = load_le64(key.data() + 8);
}

Polyval::~Polyval() {
    secure_wipe(h_, sizeof h_);
    secure_wipe(acc_, sizeof acc_);
}

void Polyval::absorb(std::span<const std::uint8_t, 16> block) noexcept {
    acc_[0] ^= load_le64(block.data());
    acc_[1] ^= load_le64(block.data() + 8);
    std::uint64_t product[4];
#if CLIQUET_POLYVAL_HAVE_CLMUL
    if (use_clmul_)
        multiply_clmul(product, acc_, h_);
    else
        multiply_portable(product, acc_, h_);
#else
    multiply_portable(product, acc_, h_);
#endif
    montgomery_reduce(acc_, product);
    secure_wipe(product, sizeof product);
}

void Polyval::update_padded(ByteView data) noexcept {
    while (data.size() >= kBlockSize) {
        absorb(data.first<kBlockSize>());
        data = data.subspan(kBlockSize);
    }
    if (!data.empty()) {
        SecretArray<kBlockSize> last;
        std::memcpy(last.data(), data.data(), data.size());
        absorb(last.span());
    }
}

SecretArray<16> Polyval::digest() const noexcept {
    SecretArray<16> out;
    store_le64(out.data(), acc_[0]);
    store_le64(out.data() + 8, acc_[1]);
    return out;
}

}  // namespace cliquet::crypto
