// Replaces every form of the global operator new and delete for the
// allocation-failure tests only. Allocations go to malloc and free (which
// AddressSanitizer intercepts, so it still sees every leak, overflow and use
// after free); only new/delete mismatches are no longer reported here.
#include "failing_new.hpp"

#include <execinfo.h>
#include <unistd.h>

#include <cstdlib>
#include <new>

namespace cliquet::testing::alloc {
namespace {

// Per thread, and constant-initialised: reading them allocates nothing.
thread_local bool t_armed = false;
thread_local std::size_t t_count = 0;
thread_local std::size_t t_fail_at = 0;
thread_local bool t_reached = false;

// CLIQUET_ALLOC_BACKTRACE set: each failing allocation prints where it was
// made, to find the code behind a failure the sweep reports.
const bool g_print_backtrace = std::getenv("CLIQUET_ALLOC_BACKTRACE") != nullptr;

// Whether this allocation is the one to fail.
bool fails_now() noexcept {
    if (!t_armed) return false;
    if (++t_count != t_fail_at) return false;
    t_reached = true;
    if (g_print_backtrace) {
        void* frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), STDERR_FILENO);
    }
    return true;
}

void* allocate(std::size_t size) {
    if (fails_now()) throw std::bad_alloc();
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
    if (fails_now()) throw std::bad_alloc();
    const auto align = static_cast<std::size_t>(alignment);
    // aligned_alloc wants a size that is a multiple of the alignment.
    const std::size_t rounded = (size + align - 1) / align * align;
    if (void* p = std::aligned_alloc(align, rounded == 0 ? align : rounded)) return p;
    throw std::bad_alloc();
}

}  // namespace

FailingAllocation::FailingAllocation(std::size_t n) noexcept {
    t_count = 0;
    t_fail_at = n;
    t_reached = false;
    t_armed = true;
}

FailingAllocation::~FailingAllocation() { t_armed = false; }

bool FailingAllocation::reached() const noexcept { return t_reached; }
std::size_t FailingAllocation::count() const noexcept { return t_count; }

}  // namespace cliquet::testing::alloc

using cliquet::testing::alloc::allocate;
using cliquet::testing::alloc::allocate_aligned;

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t alignment) { return allocate_aligned(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) { return allocate_aligned(size, alignment); }

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return allocate(size);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return allocate(size);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    try {
        return allocate_aligned(size, alignment);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    try {
        return allocate_aligned(size, alignment);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
