// Shared by the adversarial tests: the reproducible worlds of the fuzz
// targets, outcome capture, and a measure of how much memory an operation
// makes the process hold at its peak.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include "cliquet/error.hpp"
#include "fuzz/scenario.hpp"

namespace cliquet::adversarial {

// The code of the cliquet::Error `action` throws, or nullopt if it returns.
inline std::optional<ErrorCode> refusal(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.code();
    }
    return std::nullopt;
}

inline Bytes flipped(ByteView bytes, std::size_t index, std::uint8_t mask) {
    Bytes out(bytes.begin(), bytes.end());
    out[index] ^= mask;
    return out;
}

namespace detail {

inline std::optional<std::uint64_t> status_kib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
    return std::nullopt;
}

}  // namespace detail

// How many bytes the process's peak resident set grew above its size before
// `action` ran: Linux resets the peak (VmHWM) on writing 5 to clear_refs.
// nullopt where that is not available. No timing is involved: a parser that
// copies or reserves memory proportional to a hostile length shows up here
// as megabytes, whatever the speed of the machine.
inline std::optional<std::uint64_t> peak_growth(const std::function<void()>& action) {
    const auto before = detail::status_kib("VmRSS");
    {
        std::ofstream reset("/proc/self/clear_refs");
        reset << "5";
        if (!reset.flush()) return std::nullopt;
    }
    action();
    const auto peak = detail::status_kib("VmHWM");
    if (!before || !peak) return std::nullopt;
    return *peak > *before ? (*peak - *before) * 1024 : 0;
}

}  // namespace cliquet::adversarial
