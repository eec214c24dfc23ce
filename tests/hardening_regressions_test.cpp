// Regressions for defects the fuzzers and sanitizers found.
#include <catch2/catch.hpp>

#include <array>
#include <type_traits>

#include "cliquet/random.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet_testing/deterministic_random.hpp"

using namespace cliquet;

TEST_CASE("an empty DeterministicRandom fill uses up its call number and touches nothing", "[hardening]") {
    // Found by UBSan through cliquet-vectors' generators: an empty fill
    // handed libsodium a null pointer it declares non-null.
    const std::array<std::uint8_t, 32> seed{1, 2, 3};
    DeterministicRandom empty_first(seed);
    DeterministicRandom byte_first(seed);
    std::span<std::uint8_t> nothing;
    empty_first.fill(nothing);
    std::array<std::uint8_t, 1> one{};
    byte_first.fill(one);

    std::array<std::uint8_t, 32> a{}, b{};
    empty_first.fill(a);
    byte_first.fill(b);
    CHECK(a == b);
    CHECK(a != std::array<std::uint8_t, 32>{});
}

TEST_CASE("an empty system_random fill touches nothing", "[hardening]") {
    // The same null pointer through the system source; UBSan in the
    // asan-ubsan preset is what fails here if it comes back.
    std::span<std::uint8_t> nothing;
    system_random().fill(nothing);
    std::array<std::uint8_t, 32> filled{};
    system_random().fill(filled);
    CHECK(filled != std::array<std::uint8_t, 32>{});
}

TEST_CASE("a DeterministicRandom can be neither copied nor moved", "[hardening]") {
    // Issue 22, defect 5: it was copyable (and public), and two copies of one
    // stream gave the same identity keys.
    STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<DeterministicRandom>);
    STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<DeterministicRandom>);
    STATIC_REQUIRE_FALSE(std::is_move_constructible_v<DeterministicRandom>);
    STATIC_REQUIRE_FALSE(std::is_move_assignable_v<DeterministicRandom>);
}
