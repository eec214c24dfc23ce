/// @file
/// Byte strings and secrets.
///
/// Public bytes travel as Bytes / ByteView. Secret bytes live in SecretArray or
/// SecretBytes, which wipe themselves when they die, have no stream operator and
/// compare only in constant time, so a key cannot be printed or leaked by a
/// careless copy into a std::vector.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cliquet/export.hpp"

namespace cliquet {

/// Public bytes, owned.
using Bytes = std::vector<std::uint8_t>;
/// Public bytes, viewed (not owned).
using ByteView = std::span<const std::uint8_t>;

/// Lowercase hex of any bytes.
[[nodiscard]] CLIQUET_EXPORT std::string to_hex(ByteView bytes);
/// Hex in either case to bytes; anything else is Error(invalid_argument).
[[nodiscard]] CLIQUET_EXPORT Bytes from_hex(std::string_view hex);

/// Overwrites memory in a way the compiler may not elide.
CLIQUET_EXPORT void secure_wipe(void* data, std::size_t size) noexcept;
/// Compares in time that depends only on the length.
[[nodiscard]] CLIQUET_EXPORT bool constant_time_equal(ByteView a, ByteView b) noexcept;

/// The bytes of `text`, viewed in place (no copy, no terminator).
[[nodiscard]] inline ByteView as_bytes(std::string_view text) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// A fixed-size secret, wiped on destruction.
template <std::size_t N>
class SecretArray {
public:
    static constexpr std::size_t size_bytes = N;  ///< The size, as a constant.

    /// All zero bytes.
    SecretArray() noexcept : bytes_{} {}
    /// A copy of `bytes`.
    explicit SecretArray(std::span<const std::uint8_t, N> bytes) noexcept {
        for (std::size_t i = 0; i < N; ++i) bytes_[i] = bytes[i];
    }
    /// Copies are secrets too: each one wipes itself.
    ///@{
    SecretArray(const SecretArray&) = default;
    SecretArray& operator=(const SecretArray&) = default;
    ///@}
    ~SecretArray() { secure_wipe(bytes_.data(), N); }

    /// The bytes in place, for the primitives that read or fill them.
    ///@{
    [[nodiscard]] std::uint8_t* data() noexcept { return bytes_.data(); }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
    [[nodiscard]] std::span<std::uint8_t, N> span() noexcept { return bytes_; }
    [[nodiscard]] std::span<const std::uint8_t, N> span() const noexcept { return bytes_; }
    ///@}

    /// Constant-time comparison.
    friend bool operator==(const SecretArray& a, const SecretArray& b) noexcept {
        return constant_time_equal(a.bytes_, b.bytes_);
    }

private:
    std::array<std::uint8_t, N> bytes_;
};

/// A variable-size secret, wiped on destruction and before every reallocation.
class CLIQUET_EXPORT SecretBytes {
public:
    SecretBytes() = default;
    /// `size` zero bytes.
    explicit SecretBytes(std::size_t size) : bytes_(size) {}
    /// A copy of `bytes`.
    explicit SecretBytes(ByteView bytes) : bytes_(bytes.begin(), bytes.end()) {}
    /// Copies and moves wipe the bytes they overwrite; a copy wipes itself too.
    ///@{
    SecretBytes(const SecretBytes&) = default;
    SecretBytes& operator=(const SecretBytes& other) {
        if (this != &other) {
            wipe();
            bytes_ = other.bytes_;
        }
        return *this;
    }
    SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
    SecretBytes& operator=(SecretBytes&& other) noexcept {
        if (this != &other) {
            wipe();
            bytes_ = std::move(other.bytes_);
        }
        return *this;
    }
    ///@}
    ~SecretBytes() { wipe(); }

    /// The bytes in place, for the primitives that read or fill them.
    ///@{
    [[nodiscard]] std::uint8_t* data() noexcept { return bytes_.data(); }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
    [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
    [[nodiscard]] std::span<std::uint8_t> span() noexcept { return bytes_; }
    [[nodiscard]] std::span<const std::uint8_t> span() const noexcept { return bytes_; }
    ///@}

    /// Constant-time comparison (the length is not secret).
    friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
        return constant_time_equal(a.bytes_, b.bytes_);
    }

private:
    void wipe() noexcept { secure_wipe(bytes_.data(), bytes_.size()); }
    std::vector<std::uint8_t> bytes_;
};

}  // namespace cliquet
