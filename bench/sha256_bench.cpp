// Which SHA-256 cliquet runs on, measured rather than assumed: OpenSSL's
// (SHA-NI assembly where the processor has the SHA extensions) against
// libsodium's (portable C), for the hash and for a one-shot HMAC under a
// fresh key, the shape of every HMAC on the message path. The EVP_MAC row is
// how cliquet computed HMAC before (provider contexts allocated per key).
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/openssl.hpp"

namespace cliquet::bench {
namespace {

void sha256_sizes(benchmark::internal::Benchmark* b) {
    for (long size : {32, 100, 1024, 65536}) b->Arg(size);
}

// cliquet's sha256(): OpenSSL's SHA256_Init/Update/Final.
void BM_Sha256_OpenSsl(benchmark::State& state) {
    const std::vector<std::uint8_t> input(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(crypto::sha256(input));
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256_OpenSsl)->Apply(sha256_sizes);

void BM_Sha256_Sodium(benchmark::State& state) {
    const std::vector<std::uint8_t> input(static_cast<std::size_t>(state.range(0)), 0x42);
    std::array<std::uint8_t, 32> out;
    for (auto _ : state) {
        crypto_hash_sha256(out.data(), input.data(), input.size());
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256_Sodium)->Apply(sha256_sizes);

// HMAC under a fresh 32-byte key over `range` bytes.
void BM_HmacSha256_Cliquet(benchmark::State& state) {
    const std::array<std::uint8_t, 32> key{1, 2, 3};
    const std::vector<std::uint8_t> input(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) benchmark::DoNotOptimize(crypto::HmacSha256(key).mac(input));
}
BENCHMARK(BM_HmacSha256_Cliquet)->Arg(1)->Arg(200);

void BM_HmacSha256_Sodium(benchmark::State& state) {
    const std::array<std::uint8_t, 32> key{1, 2, 3};
    const std::vector<std::uint8_t> input(static_cast<std::size_t>(state.range(0)), 0x42);
    std::array<std::uint8_t, 32> out;
    for (auto _ : state) {
        crypto_auth_hmacsha256_state hmac;
        crypto_auth_hmacsha256_init(&hmac, key.data(), key.size());
        crypto_auth_hmacsha256_update(&hmac, input.data(), input.size());
        crypto_auth_hmacsha256_final(&hmac, out.data());
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_HmacSha256_Sodium)->Arg(1)->Arg(200);

void BM_HmacSha256_EvpMac(benchmark::State& state) {
    const std::array<std::uint8_t, 32> key{1, 2, 3};
    const std::vector<std::uint8_t> input(static_cast<std::size_t>(state.range(0)), 0x42);
    std::array<std::uint8_t, 32> out;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    for (auto _ : state) {
        const crypto::openssl::MacCtx ctx(EVP_MAC_CTX_new(crypto::openssl::hmac()));
        std::size_t length = 0;
        if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
            EVP_MAC_update(ctx.get(), input.data(), input.size()) != 1 ||
            EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) != 1) {
            state.SkipWithError("EVP_MAC failed");
            break;
        }
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_HmacSha256_EvpMac)->Arg(1)->Arg(200);

}  // namespace
}  // namespace cliquet::bench
