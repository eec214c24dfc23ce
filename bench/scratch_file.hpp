// A database file of a benchmark's own, removed afterwards.
#pragma once

#include <array>
#include <filesystem>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"

namespace cliquet::bench {

class ScratchFile {
public:
    ScratchFile() {
        std::array<std::uint8_t, 8> name{};
        system_random().fill(name);
        path_ = (std::filesystem::temp_directory_path() / ("cliquet-bench-" + to_hex(name) + ".db")).string();
    }
    ~ScratchFile() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

}  // namespace cliquet::bench
