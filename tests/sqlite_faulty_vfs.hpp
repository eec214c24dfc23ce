// A test VFS that wraps SQLite's default one and, on command, fails the
// writes, syncs and truncations of every file a connection opened through it
// (the database, its log), as a full disk or a failing device does, until
// the fault is healed. Registered as the default VFS for its lifetime, so
// that SqliteStore, which opens files through the default, uses it.
#pragma once

#include <sqlite3.h>

#include <cstddef>

namespace cliquet::testing::sqlite {

class FaultyVfs {
public:
    enum class Fault {
        disk_full,  // SQLITE_FULL, as a write past the disk's end gives
        io_error,   // SQLITE_IOERR_WRITE, _FSYNC or _TRUNCATE
    };

    FaultyVfs();
    ~FaultyVfs();
    FaultyVfs(const FaultyVfs&) = delete;
    FaultyVfs& operator=(const FaultyVfs&) = delete;

    // From the `n`-th write, sync or truncation on (counted from 1), every
    // one fails with `fault`, until heal().
    void fail_from(std::size_t n, Fault fault) noexcept;
    // Space is back, the device works: nothing fails any more.
    void heal() noexcept;
    // Whether a failure was delivered since fail_from.
    bool reached() const noexcept;
    // Writes, syncs and truncations since fail_from.
    std::size_t operations() const noexcept;

private:
    sqlite3_vfs vfs_{};
};

}  // namespace cliquet::testing::sqlite
