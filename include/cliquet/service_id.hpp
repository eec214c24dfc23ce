/// @file
/// Signal service ids: an account's ACI or its phone number's PNI.
///
/// Multi-recipient sealed sender names recipients by service id in the
/// fixed-width binary form: one kind byte (0 ACI, 1 PNI) then the 16 UUID
/// bytes. The string form is the lowercase hyphenated UUID for an ACI and
/// "PNI:" followed by it for a PNI, as libsignal writes them.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cliquet/export.hpp"

namespace cliquet {

/// A UUID, as 16 bytes.
using Uuid = std::array<std::uint8_t, 16>;

/// The hyphenated form, 36 characters, either case; nullopt otherwise.
[[nodiscard]] CLIQUET_EXPORT std::optional<Uuid> parse_uuid(std::string_view text) noexcept;
/// Lowercase and hyphenated.
[[nodiscard]] CLIQUET_EXPORT std::string format_uuid(const Uuid& uuid);

/// Which identifier a ServiceId is, an account's (ACI) or its phone number's
/// (PNI); the value is its kind byte.
enum class ServiceIdKind : std::uint8_t { aci = 0, pni = 1 };

inline constexpr std::size_t kServiceIdFixedWidthSize = 17;  ///< Kind byte and 16 UUID bytes.
/// The fixed-width binary form.
using ServiceIdFixedWidth = std::array<std::uint8_t, kServiceIdFixedWidthSize>;

/// An account's ACI or PNI.
class CLIQUET_EXPORT ServiceId {
public:
    /// The ACI or the PNI with this UUID.
    ///@{
    [[nodiscard]] static ServiceId aci(const Uuid& uuid) noexcept { return ServiceId(ServiceIdKind::aci, uuid); }
    [[nodiscard]] static ServiceId pni(const Uuid& uuid) noexcept { return ServiceId(ServiceIdKind::pni, uuid); }
    ///@}

    /// The string form; anything else is nullopt.
    [[nodiscard]] static std::optional<ServiceId> parse(std::string_view text) noexcept;
    /// The fixed-width binary form; an unknown kind byte is nullopt.
    [[nodiscard]] static std::optional<ServiceId> from_fixed_width(
        std::span<const std::uint8_t, kServiceIdFixedWidthSize> bytes) noexcept;

    [[nodiscard]] ServiceIdKind kind() const noexcept { return kind_; }  ///< ACI or PNI.
    const Uuid& uuid() const noexcept { return uuid_; }    ///< The UUID.
    [[nodiscard]] std::string to_string() const;  ///< The string form.
    [[nodiscard]] ServiceIdFixedWidth fixed_width() const noexcept;  ///< The fixed-width binary form.

    /// Compared and ordered by kind, then UUID.
    ///@{
    friend bool operator==(const ServiceId&, const ServiceId&) = default;
    friend std::strong_ordering operator<=>(const ServiceId&, const ServiceId&) = default;
    ///@}

private:
    ServiceId(ServiceIdKind kind, const Uuid& uuid) noexcept : kind_(kind), uuid_(uuid) {}
    ServiceIdKind kind_;
    Uuid uuid_;
};

}  // namespace cliquet
