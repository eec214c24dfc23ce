// cliquet-vectors: the registry of test-vector categories.
//
// A category is one kind of vector file (x25519, xeddsa, kem, ...): a check
// that runs one test case, and a generator that writes a whole file computed
// by cliquet from fixed seeds. To add a category, drop a file
// tools/vectors/<category>.cpp (CMake globs the directory) that defines the
// two functions and registers them at static-initialisation time:
//
//     #include "registry.hpp"
//     namespace cliquet::vectors {
//     namespace {
//     void check_case(const json& group, const json& test) {
//         const Bytes key = hex_param(test, "key");         // throws on a missing or non-hex field
//         ...
//         if (is_valid(test)) expect_equal("tag", hex_param(test, "tag"), computed);
//         else expect_refused([&] { ... }, ErrorCode::invalid_message);
//     }
//     json generate() { ... return vector_file(...); }
//     const CategoryRegistration registration{"my_category", check_case, generate, "one line of description"};
//     }  // namespace
//     }  // namespace cliquet::vectors
//
// How a file finds its category: its top-level "category" field names it;
// failing that its "algorithm" field, and failing that the file's name
// without ".json", if either is a registered category name.
//
// The check's contract: return normally when the case passes, throw
// (std::runtime_error, cliquet::Error or any std::exception) describing the
// mismatch when it fails. An "invalid" case passes when cliquet refuses the
// operation; the check decides what refusing means for its category.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"

namespace cliquet::vectors {

using nlohmann::json;

// Runs one test of one group; throws when the case fails.
using CheckFunction = std::function<void(const json& group, const json& test)>;
// Returns a complete vector file computed by cliquet from fixed seeds; empty
// for a category that is only read (Project Wycheproof's).
using GenerateFunction = std::function<json()>;

struct Category {
    CheckFunction check;
    GenerateFunction generate;
    std::string description;
};

std::map<std::string, Category, std::less<>>& categories();

struct CategoryRegistration {
    CategoryRegistration(std::string name, CheckFunction check, GenerateFunction generate,
                         std::string description = {});
};

// A case that does not hold: the message says what differed.
class Mismatch : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A case this build does not run (an AES key size or a KEM parameter set
// cliquet does not have): the message says why, and verify counts it by that
// reason rather than as passed or failed.
class Skipped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// ---- reading a test ---------------------------------------------------------
// Each throws Mismatch naming the field when it is absent or ill-typed.

Bytes hex_param(const json& object, std::string_view name);
std::optional<Bytes> optional_hex_param(const json& object, std::string_view name);
std::string string_param(const json& object, std::string_view name);
std::uint64_t uint_param(const json& object, std::string_view name);
// A UUID, which version 2 writes as a string (8-4-4-4-12 hex), as 16 bytes.
std::array<std::uint8_t, 16> uuid_param(const json& object, std::string_view name);
// Wycheproof's three verdicts: "acceptable" is an input the specification
// allows but a library may refuse; the case's flags name the policy that
// decides, and the checker holds cliquet to its documented choice.
enum class Verdict { valid, invalid, acceptable };
Verdict expected_verdict(const json& test);
// True for "valid", false for "invalid"; anything else (including
// "acceptable", which a category must handle explicitly) is a Mismatch.
bool is_valid(const json& test);
bool has_flag(const json& test, std::string_view flag);
// The ErrorCode whose wire name is `name`, if there is one.
std::optional<ErrorCode> error_code_named(std::string_view name);
// The test's "error", which every invalid case of a cliquet file names.
ErrorCode error_param(const json& test);

// ---- judging a test ---------------------------------------------------------

// Throws Mismatch showing both values in hex when they differ.
void expect_equal(std::string_view what, ByteView expected, ByteView actual);
// Runs `operation` and throws Mismatch unless it throws cliquet::Error with
// `code`. A refusal with another code is a mismatch too: the code is part of
// the contract. When the case being checked names an "error", `code` must
// be that error, so a file cannot state one refusal while the checker
// demands another.
void expect_refused(const std::function<void()>& operation, ErrorCode code);

// The case verify is checking, for expect_refused (null between cases).
class CurrentTest {
public:
    explicit CurrentTest(const json& test);
    ~CurrentTest();
    CurrentTest(const CurrentTest&) = delete;
    CurrentTest& operator=(const CurrentTest&) = delete;
    static const json* get() noexcept;
};

// ---- writing a file ---------------------------------------------------------

// The reproducible stream generators draw from: seeded by SHA-256(label), so
// each category's output depends only on its label and cliquet's code.
DeterministicRandom fixed_seed_random(std::string_view label);
// Its seed, SHA-256(label): for a stream made in place (std::make_unique).
std::array<std::uint8_t, 32> fixed_seed(std::string_view label);
Bytes random_bytes(RandomSource& random, std::size_t size);

// A complete file in format version 2: numbers every test's tcId from 1 in
// order, counts numberOfTests, names the category's schema
// (schema/<category>.schema.json) and fills in the fixed fields.
json vector_file(std::string_view category, std::string_view algorithm, const json& header, const json& notes,
                 json groups);

// A test case with the fields every category shares.
json test_case(std::string_view comment, bool valid, const json& flags = json::array());

}  // namespace cliquet::vectors
