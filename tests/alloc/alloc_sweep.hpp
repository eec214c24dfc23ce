// The sweep of the allocation-failure tests: one call made again and again on
// the same state, its first allocation failing, then its second, and so on,
// until a run that makes fewer allocations than the one set to fail.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <iostream>
#include <map>
#include <new>
#include <string>
#include <string_view>

#include "cliquet/error.hpp"
#include "failing_new.hpp"

namespace cliquet::testing::alloc {

// Far above what any swept call makes: reaching it means a call whose
// allocations never run out, which is a bug of its own.
inline constexpr std::size_t kMaxAllocations = 200'000;

// What a sweep found.
struct Sweep {
    std::size_t points = 0;     // allocations of the call, each failed once
    std::size_t bad_alloc = 0;  // failures reported as std::bad_alloc
    std::size_t absorbed = 0;   // failures the call recovered from, still succeeding
    std::map<std::string, std::size_t> errors;  // failures reported as an Error, by message
};

// A failure the call reported: std::bad_alloc, as it should be. Anything else
// is recorded for the test to judge.
inline void tally(Sweep& sweep, const Outcome& outcome) {
    ++sweep.points;
    if (!outcome.failed()) {
        ++sweep.absorbed;
        return;
    }
    try {
        std::rethrow_exception(outcome.error);
    } catch (const std::bad_alloc&) {
        ++sweep.bad_alloc;
    } catch (const Error& e) {
        ++sweep.errors[e.what()];
    }
}

// Runs `attempt(n)` for n = 1, 2, ...: it must make a fresh copy of the state,
// run the call with call_failing_at(n, ...), check what a failure left, and
// return the outcome. The sweep ends at the first n the call does not reach,
// a run that must have succeeded. Prints one line of figures under `name`.
template <typename Attempt>
Sweep sweep_allocations(std::string_view name, Attempt&& attempt) {
    Sweep sweep;
    for (std::size_t n = 1;; ++n) {
        REQUIRE(n < kMaxAllocations);
        const Outcome outcome = attempt(n);
        if (!outcome.reached) {
            // The genuine call, with no failure, must succeed.
            REQUIRE_FALSE(outcome.failed());
            break;
        }
        tally(sweep, outcome);
    }
    std::cout << "alloc sweep: " << name << ": " << sweep.points << " allocations, " << sweep.bad_alloc
              << " reported as bad_alloc, " << sweep.absorbed << " absorbed";
    for (const auto& [message, count] : sweep.errors) std::cout << ", " << count << " as \"" << message << '"';
    std::cout << '\n';
    // The call makes allocations, so the sweep exercised something.
    CHECK(sweep.points > 0);
    // Every failure reported as what it is: an exhausted heap, not a bad message.
    CHECK(sweep.errors.empty());
    return sweep;
}

}  // namespace cliquet::testing::alloc
