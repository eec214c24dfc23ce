#include "cliquet/service_id.hpp"

#include <algorithm>

namespace cliquet {
namespace {

constexpr std::size_t kUuidTextSize = 36;
constexpr std::string_view kPniPrefix = "PNI:";

bool is_hyphen_position(std::size_t i) noexcept { return i == 8 || i == 13 || i == 18 || i == 23; }

int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Uuid> parse_uuid(std::string_view text) noexcept {
    if (text.size() != kUuidTextSize) return std::nullopt;
    Uuid uuid{};
    std::size_t nibble = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_hyphen_position(i)) {
            if (text[i] != '-') return std::nullopt;
            continue;
        }
        const int value = hex_digit_value(text[i]);
        if (value < 0) return std::nullopt;
        uuid[nibble / 2] = static_cast<std::uint8_t>(uuid[nibble / 2] | (nibble % 2 == 0 ? value << 4 : value));
        ++nibble;
    }
    return uuid;
}

std::string format_uuid(const Uuid& uuid) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(kUuidTextSize);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
        text.push_back(kDigits[uuid[i] >> 4]);
        text.push_back(kDigits[uuid[i] & 0x0f]);
    }
    return text;
}

std::optional<ServiceId> ServiceId::parse(std::string_view text) noexcept {
    if (text.starts_with(kPniPrefix)) {
        const auto uuid = parse_uuid(text.substr(kPniPrefix.size()));
        if (!uuid) return std::nullopt;
        return pni(*uuid);
    }
    const auto uuid = parse_uuid(text);
    if (!uuid) return std::nullopt;
    return aci(*uuid);
}

std::optional<ServiceId> ServiceId::from_fixed_width(
    std::span<const std::uint8_t, kServiceIdFixedWidthSize> bytes) noexcept {
    Uuid uuid;
    std::copy(bytes.begin() + 1, bytes.end(), uuid.begin());
    switch (bytes[0]) {
        case static_cast<std::uint8_t>(ServiceIdKind::aci): return aci(uuid);
        case static_cast<std::uint8_t>(ServiceIdKind::pni): return pni(uuid);
        default: return std::nullopt;
    }
}

std::string ServiceId::to_string() const {
    if (kind_ == ServiceIdKind::pni) return std::string(kPniPrefix) + format_uuid(uuid_);
    return format_uuid(uuid_);
}

ServiceIdFixedWidth ServiceId::fixed_width() const noexcept {
    ServiceIdFixedWidth bytes;
    bytes[0] = static_cast<std::uint8_t>(kind_);
    std::copy(uuid_.begin(), uuid_.end(), bytes.begin() + 1);
    return bytes;
}

}  // namespace cliquet
