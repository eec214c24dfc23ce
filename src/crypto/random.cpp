#include "cliquet/random.hpp"

#include <sodium.h>

#include <cstdlib>

namespace cliquet {
namespace {

class SystemRandom final : public RandomSource {
public:
    SystemRandom() noexcept {
        // sodium_init is idempotent and thread-safe; it fails only when the
        // system has no entropy source, where no key may ever be made.
        if (sodium_init() < 0) std::abort();
    }
    void fill(std::span<std::uint8_t> out) override {
        // libsodium declares the pointer non-null, which an empty span's is not.
        if (!out.empty()) randombytes_buf(out.data(), out.size());
    }
};

}  // namespace

RandomSource& system_random() noexcept {
    static SystemRandom source;
    return source;
}

}  // namespace cliquet
