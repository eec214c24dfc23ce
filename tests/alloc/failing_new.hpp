// The allocation-failure tests' global operator new (failing_new.cpp),
// linked only into cliquet-alloc-tests: while a FailingAllocation is armed
// on a thread, that thread's allocations are counted, and the n-th throws
// std::bad_alloc, as an exhausted heap would.
#pragma once

#include <cstddef>
#include <exception>

namespace cliquet::testing::alloc {

// Arms the failure of this thread's `n`-th allocation (counted from 1) for
// its lifetime. Other threads are never affected. Does not nest.
class FailingAllocation {
public:
    explicit FailingAllocation(std::size_t n) noexcept;
    ~FailingAllocation();
    FailingAllocation(const FailingAllocation&) = delete;
    FailingAllocation& operator=(const FailingAllocation&) = delete;

    // Whether the n-th allocation happened (and threw).
    bool reached() const noexcept;
    // How many allocations this thread made while armed.
    std::size_t count() const noexcept;
};

// What one call made with its n-th allocation failing.
struct Outcome {
    bool reached = false;      // the call made an n-th allocation, which threw
    std::exception_ptr error;  // what the call threw, if it did
    bool failed() const noexcept { return error != nullptr; }
};

// Runs `call` with this thread's n-th allocation failing.
template <typename Call>
Outcome call_failing_at(std::size_t n, Call&& call) {
    Outcome outcome;
    {
        FailingAllocation armed(n);
        try {
            call();
        } catch (...) {
            outcome.error = std::current_exception();
        }
        outcome.reached = armed.reached();
    }
    return outcome;
}

}  // namespace cliquet::testing::alloc
