#include "cliquet/bytes.hpp"

#include <sodium.h>

#include "cliquet/error.hpp"

namespace cliquet {
namespace {

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(ByteView bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    return out;
}

Bytes from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) throw Error(ErrorCode::invalid_argument, "hex string has an odd length");
    Bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = hex_digit(hex[2 * i]);
        const int low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0) throw Error(ErrorCode::invalid_argument, "hex string has a non-hex character");
        out[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return out;
}

void secure_wipe(void* data, std::size_t size) noexcept {
    if (size != 0) sodium_memzero(data, size);
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
    // The lengths are public; only the contents are compared in constant time.
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cliquet
