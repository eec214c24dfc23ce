// cliquet-vectors' reader: JSON parsing, finding the category of a file
// ("category", else "wycheproof/" and "algorithm", else "algorithm") and
// running every case of every group through the category's check, as
// `cliquet-vectors verify` does
// (tools/vectors/main.cpp; its verify_file is internal to the program, so
// its dispatch is repeated here over the very registry and checks the
// program links). A hostile file may fail any case, with any exception
// derived from std::exception, but must never crash or overread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "registry.hpp"

namespace {

using cliquet::vectors::json;

// Fingerprint cases name their own iteration count (up to a million); a
// mutated file asking for that is slow, not interesting.
bool too_slow(const json& test) {
    const auto it = test.find("iterations");
    return it != test.end() && it->is_number() && it->get<double>() > 10'000;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet::vectors;
    const json document = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded() || !document.is_object()) return 0;

    // As cliquet-vectors: the category, else for a file without one (Project
    // Wycheproof's) "wycheproof/" and its algorithm, else the algorithm.
    std::vector<std::string> candidates;
    const auto named = document.find("category");
    if (named != document.end() && named->is_string()) candidates.push_back(named->get<std::string>());
    const auto algorithm = document.find("algorithm");
    if (algorithm != document.end() && algorithm->is_string()) {
        if (named == document.end()) candidates.push_back("wycheproof/" + algorithm->get<std::string>());
        candidates.push_back(algorithm->get<std::string>());
    }
    const Category* category = nullptr;
    for (const std::string& candidate : candidates) {
        const auto found = categories().find(candidate);
        if (category == nullptr && found != categories().end()) category = &found->second;
    }
    const auto groups = document.find("testGroups");
    if (category == nullptr || groups == document.end() || !groups->is_array()) return 0;

    for (const json& group : *groups) {
        const auto tests = group.find("tests");
        if (!group.is_object() || tests == group.end() || !tests->is_array()) continue;
        for (const json& test : *tests) {
            try {
                if (!test.is_object() || too_slow(test)) continue;
                (void)expected_verdict(test);
                const CurrentTest current(test);
                category->check(group, test);
            } catch (const std::exception&) {
                // A failing case: the program reports it and goes on.
            }
        }
    }
    return 0;
}
