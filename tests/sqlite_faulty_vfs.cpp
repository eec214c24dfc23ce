#include "sqlite_faulty_vfs.hpp"

#include <stdexcept>

namespace cliquet::testing::sqlite {
namespace {

// One FaultyVfs at a time: SQLite's VFS calls carry no pointer back to it
// that the file methods could use without one.
struct State {
    sqlite3_vfs* real = nullptr;
    bool armed = false;
    FaultyVfs::Fault fault = FaultyVfs::Fault::disk_full;
    std::size_t fail_from = 0;
    std::size_t operations = 0;
    bool reached = false;
} g_state;

// Our file: the methods table, then the real VFS's file right after.
struct File {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* file) { return reinterpret_cast<File*>(file)->real; }

// Whether this write, sync or truncation fails, and with what.
int fault_now(int io_error) {
    if (!g_state.armed) return SQLITE_OK;
    if (++g_state.operations < g_state.fail_from) return SQLITE_OK;
    g_state.reached = true;
    return g_state.fault == FaultyVfs::Fault::disk_full ? SQLITE_FULL : io_error;
}

int file_close(sqlite3_file* f) { return real_of(f)->pMethods->xClose(real_of(f)); }
int file_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
    return real_of(f)->pMethods->xRead(real_of(f), out, amount, offset);
}
int file_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    if (const int fault = fault_now(SQLITE_IOERR_WRITE); fault != SQLITE_OK) return fault;
    return real_of(f)->pMethods->xWrite(real_of(f), data, amount, offset);
}
int file_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (const int fault = fault_now(SQLITE_IOERR_TRUNCATE); fault != SQLITE_OK) return fault;
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int file_sync(sqlite3_file* f, int flags) {
    if (const int fault = fault_now(SQLITE_IOERR_FSYNC); fault != SQLITE_OK) return fault;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int file_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int file_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int file_check_reserved(sqlite3_file* f, int* out) {
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int file_control(sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int file_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int file_device_characteristics(sqlite3_file* f) {
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
int file_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}
int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int file_shm_unmap(sqlite3_file* f, int delete_flag) {
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}
int file_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    return real_of(f)->pMethods->xFetch(real_of(f), offset, amount, out);
}
int file_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
    return real_of(f)->pMethods->xUnfetch(real_of(f), offset, page);
}

// Version 3, as the unix VFS's: memory-mapped reads go through too.
const sqlite3_io_methods kMethods = {
    3,         file_close,    file_read,         file_write,          file_truncate, file_sync,
    file_size, file_lock,     file_unlock,       file_check_reserved, file_control,  file_sector_size,
    file_device_characteristics, file_shm_map, file_shm_lock, file_shm_barrier, file_shm_unmap, file_fetch,
    file_unfetch,
};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* ours = reinterpret_cast<File*>(file);
    ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
    ours->base.pMethods = nullptr;
    const int result = g_state.real->xOpen(g_state.real, name, ours->real, flags, out_flags);
    // SQLite calls xClose only on a file whose methods are set.
    if (ours->real->pMethods != nullptr) ours->base.pMethods = &kMethods;
    return result;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    return g_state.real->xDelete(g_state.real, name, sync_dir);
}
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return g_state.real->xAccess(g_state.real, name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
    return g_state.real->xFullPathname(g_state.real, name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) { return g_state.real->xDlOpen(g_state.real, name); }
void vfs_dl_error(sqlite3_vfs*, int size, char* out) { g_state.real->xDlError(g_state.real, size, out); }
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
    return g_state.real->xDlSym(g_state.real, handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) { g_state.real->xDlClose(g_state.real, handle); }
int vfs_randomness(sqlite3_vfs*, int size, char* out) { return g_state.real->xRandomness(g_state.real, size, out); }
int vfs_sleep(sqlite3_vfs*, int microseconds) { return g_state.real->xSleep(g_state.real, microseconds); }
int vfs_current_time(sqlite3_vfs*, double* out) { return g_state.real->xCurrentTime(g_state.real, out); }
int vfs_last_error(sqlite3_vfs*, int size, char* out) { return g_state.real->xGetLastError(g_state.real, size, out); }
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return g_state.real->xCurrentTimeInt64(g_state.real, out);
}

}  // namespace

FaultyVfs::FaultyVfs() {
    if (g_state.real != nullptr) throw std::logic_error("one FaultyVfs at a time");
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (real == nullptr || real->iVersion < 2) throw std::runtime_error("no default SQLite VFS to wrap");
    g_state = State{};
    g_state.real = real;
    vfs_.iVersion = 2;
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real->szOsFile;
    vfs_.mxPathname = real->mxPathname;
    vfs_.zName = "cliquet-faulty";
    vfs_.xOpen = vfs_open;
    vfs_.xDelete = vfs_delete;
    vfs_.xAccess = vfs_access;
    vfs_.xFullPathname = vfs_full_pathname;
    vfs_.xDlOpen = vfs_dl_open;
    vfs_.xDlError = vfs_dl_error;
    vfs_.xDlSym = vfs_dl_sym;
    vfs_.xDlClose = vfs_dl_close;
    vfs_.xRandomness = vfs_randomness;
    vfs_.xSleep = vfs_sleep;
    vfs_.xCurrentTime = vfs_current_time;
    vfs_.xGetLastError = vfs_last_error;
    vfs_.xCurrentTimeInt64 = vfs_current_time_int64;
    if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) {
        g_state.real = nullptr;
        throw std::runtime_error("cannot register the faulty VFS");
    }
}

FaultyVfs::~FaultyVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(g_state.real, 1);
    g_state = State{};
}

void FaultyVfs::fail_from(std::size_t n, Fault fault) noexcept {
    g_state.armed = true;
    g_state.fault = fault;
    g_state.fail_from = n;
    g_state.operations = 0;
    g_state.reached = false;
}

void FaultyVfs::heal() noexcept { g_state.armed = false; }
bool FaultyVfs::reached() const noexcept { return g_state.reached; }
std::size_t FaultyVfs::operations() const noexcept { return g_state.operations; }

}  // namespace cliquet::testing::sqlite
