/// @file
/// Time, as the library reads and records it.
///
/// Every instant the library keeps (when a session started, when its peer
/// last answered, when a pre-key was made) is a Timestamp: milliseconds
/// since the Unix epoch, the unit the peer protocol and libsignal's pre-key
/// records use. Durations are std::chrono durations (std::chrono::days{30}).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace cliquet {

/// An instant, to the millisecond, on the system clock.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// Where an operation reads the current time. An empty Clock is the system
/// clock; tests and applications with their own time source install another.
using Clock = std::function<Timestamp()>;

/// What `clock` says now (the system clock's time if `clock` is empty).
[[nodiscard]] inline Timestamp current_time(const Clock& clock = {}) {
    if (clock) return clock();
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

/// The instant `ms` milliseconds after the Unix epoch (past 2^63 - 1, the
/// latest instant a Timestamp holds).
[[nodiscard]] constexpr Timestamp timestamp_from_unix_ms(std::uint64_t ms) noexcept {
    constexpr auto latest = static_cast<std::uint64_t>(Timestamp::max().time_since_epoch().count());
    return Timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(ms < latest ? ms : latest)));
}

/// Milliseconds since the Unix epoch; an instant before it counts as 0.
[[nodiscard]] constexpr std::uint64_t unix_ms(Timestamp instant) noexcept {
    const auto ms = instant.time_since_epoch().count();
    return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}

}  // namespace cliquet
