// cliquet-vectors: checks JSON test-vector files against cliquet, and writes
// vectors computed by cliquet. See test_vectors/README.md for the format and
// registry.hpp for how a category plugs in.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "registry.hpp"

namespace cliquet::vectors {
namespace {

// A vector file larger than this is refused unread: the biggest published
// one is a few megabytes.
constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

constexpr const char* kUsage =
    "usage: cliquet-vectors verify [--expect-skipped N] FILE...\n"
    "                                           check every case of every file\n"
    "       cliquet-vectors generate CATEGORY   print vectors computed by cliquet (JSON)\n"
    "       cliquet-vectors list                name the categories this build knows\n"
    "       cliquet-vectors --help\n"
    "\n"
    "verify prints one line per failing case and ends with 'N passed, M failed'\n"
    "(with 'S skipped' between them when some cases need what cliquet does not\n"
    "have), after a line per file with its passes by verdict and its skips by reason;\n"
    "it exits 0 only when nothing failed and every file could be read.\n";

struct Tally {
    std::uint64_t passed = 0;
    std::uint64_t failed = 0;
    std::uint64_t skipped = 0;
    bool malformed = false;
};

// What one file came to: passes by verdict, and skips by reason.
struct FileTally {
    std::map<std::string, std::uint64_t> passed_by_verdict;
    std::map<std::string, std::uint64_t> skipped_by_reason;
};

void print_file_summary(const std::string& path, const FileTally& file) {
    std::cout << path << ":";
    if (file.passed_by_verdict.empty()) std::cout << " passed none";
    const char* separator = " passed ";
    for (const auto& [verdict, count] : file.passed_by_verdict) {
        std::cout << separator << count << ' ' << verdict;
        separator = ", ";
    }
    std::cout << '\n';
    for (const auto& [reason, count] : file.skipped_by_reason)
        std::cout << path << ": skipped " << count << ": " << reason << '\n';
}

void report_file_problem(Tally& tally, const std::string& path, const std::string& why) {
    std::cout << path << ": " << why << '\n';
    ++tally.failed;
    tally.malformed = true;
}

std::optional<json> read_file(Tally& tally, const std::string& path) {
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) {
        report_file_problem(tally, path, "cannot read: " + error.message());
        return std::nullopt;
    }
    if (size > kMaxFileBytes) {
        report_file_problem(tally, path, "larger than the 64 MiB limit");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        report_file_problem(tally, path, "cannot read");
        return std::nullopt;
    }
    json document = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
        report_file_problem(tally, path, "not JSON");
        return std::nullopt;
    }
    return document;
}

// The "category" field; for a file without one (Project Wycheproof's own
// files), "wycheproof/" and its "algorithm"; else the algorithm, else the
// file's name (see registry.hpp).
const Category* find_category(const json& document, const std::string& path, std::string& name) {
    std::vector<std::string> candidates;
    const auto category = document.find("category");
    if (category != document.end() && category->is_string()) candidates.push_back(category->get<std::string>());
    const auto algorithm = document.find("algorithm");
    if (algorithm != document.end() && algorithm->is_string()) {
        if (category == document.end()) candidates.push_back("wycheproof/" + algorithm->get<std::string>());
        candidates.push_back(algorithm->get<std::string>());
    }
    candidates.push_back(std::filesystem::path(path).stem().string());
    for (const std::string& candidate : candidates) {
        const auto it = categories().find(candidate);
        if (it != categories().end()) {
            name = it->first;
            return &it->second;
        }
    }
    return nullptr;
}

// The format version of cliquet's own vector files (test_vectors/README.md).
constexpr int kFormatVersion = 2;

// What version 2 asks of every case whatever its category: an invalid case
// names the error it is refused with, and an acceptable one names, in its
// flags, the policy that decides it (which notes explain).
void check_format_v2_case(const json& test, Verdict expected) {
    if (expected == Verdict::invalid) (void)error_param(test);
    if (test.contains("error") && expected == Verdict::valid) throw Mismatch("a valid case names an error");
    if (expected == Verdict::acceptable) {
        const auto flags = test.find("flags");
        if (flags == test.end() || !flags->is_array() || flags->empty())
            throw Mismatch("an acceptable case must name its policy in flags");
        if (test.contains("error")) (void)error_param(test);
    }
}

std::string describe_test(const json& test) {
    std::string out = "tcId ";
    const auto id = test.find("tcId");
    out += id != test.end() ? id->dump() : "?";
    const auto comment = test.find("comment");
    if (comment != test.end() && comment->is_string() && !comment->get_ref<const std::string&>().empty())
        out += " (" + comment->get<std::string>() + ")";
    return out;
}

void verify_file(Tally& tally, const std::string& path) {
    const std::optional<json> document = read_file(tally, path);
    if (!document) return;
    if (!document->is_object()) return report_file_problem(tally, path, "top level is not an object");
    std::string category_name;
    const Category* category = find_category(*document, path, category_name);
    if (category == nullptr) return report_file_problem(tally, path, "no registered category matches this file");
    const auto groups = document->find("testGroups");
    if (groups == document->end() || !groups->is_array() || groups->empty())
        return report_file_problem(tally, path, "no testGroups");
    // cliquet's own files (those naming a category) are read in format
    // version 2 only; Wycheproof's keep their own format.
    const bool cliquet_file = document->contains("category");
    if (cliquet_file) {
        const auto version = document->find("formatVersion");
        if (version == document->end() || *version != kFormatVersion)
            return report_file_problem(tally, path,
                                       "formatVersion must be " + std::to_string(kFormatVersion) +
                                           " (test_vectors/generate/format_v2.py converts older files)");
    }

    std::uint64_t seen = 0;
    std::set<std::int64_t> ids;
    FileTally file;
    for (const json& group : *groups) {
        const auto tests = group.find("tests");
        if (!group.is_object() || tests == group.end() || !tests->is_array()) {
            report_file_problem(tally, path, "a test group without a tests array");
            continue;
        }
        for (const json& test : *tests) {
            ++seen;
            std::string why;
            std::string verdict;
            try {
                if (!test.is_object()) throw Mismatch("a test is not an object");
                if (!test.contains("tcId") || !test["tcId"].is_number_integer()) throw Mismatch("no integer tcId");
                if (!ids.insert(test["tcId"].get<std::int64_t>()).second) throw Mismatch("tcId used twice in the file");
                const Verdict expected = expected_verdict(test);  // valid, invalid or acceptable
                if (cliquet_file) check_format_v2_case(test, expected);
                verdict = test["result"].get<std::string>();
                const CurrentTest current(test);
                category->check(group, test);
            } catch (const Skipped& e) {
                ++tally.skipped;
                ++file.skipped_by_reason[e.what()];
                continue;
            } catch (const std::exception& e) {
                why = e.what();
                if (why.empty()) why = "failed";
            }
            if (why.empty()) {
                ++tally.passed;
                ++file.passed_by_verdict[verdict];
            } else {
                ++tally.failed;
                std::cout << path << ": " << category_name << ' ' << describe_test(test) << ": " << why << '\n';
            }
        }
    }
    print_file_summary(path, file);
    const auto declared = document->find("numberOfTests");
    if (declared != document->end() && (!declared->is_number_unsigned() || declared->get<std::uint64_t>() != seen))
        report_file_problem(tally, path,
                            "numberOfTests says " + declared->dump() + " but the file holds " + std::to_string(seen));
}

// verify [--expect-skipped N] FILE...: with the option, a run that skips
// any other number of cases fails too, so that a checker which starts
// skipping what it used to run cannot pass unnoticed.
int verify(std::vector<std::string> paths) {
    std::optional<std::uint64_t> expected_skips;
    if (paths.size() >= 2 && paths[0] == "--expect-skipped") {
        try {
            expected_skips = std::stoull(paths[1]);
        } catch (const std::exception&) {
            std::cerr << kUsage;
            return 2;
        }
        paths.erase(paths.begin(), paths.begin() + 2);
    }
    if (paths.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    Tally tally;
    for (const std::string& path : paths) verify_file(tally, path);
    std::cout << tally.passed << " passed, ";
    if (tally.skipped > 0) std::cout << tally.skipped << " skipped, ";
    std::cout << tally.failed << " failed" << std::endl;
    if (expected_skips && *expected_skips != tally.skipped) {
        std::cout << "expected " << *expected_skips << " skipped, not " << tally.skipped << std::endl;
        return 1;
    }
    return tally.failed == 0 && !tally.malformed ? 0 : 1;
}

int generate(const std::string& name) {
    const auto it = categories().find(name);
    if (it == categories().end()) {
        std::cerr << "cliquet-vectors: no category named '" << name << "' (try 'cliquet-vectors list')\n";
        return 2;
    }
    if (!it->second.generate) {
        std::cerr << "cliquet-vectors: '" << name << "' is read, not generated (" << it->second.description << ")\n";
        return 2;
    }
    std::cout << it->second.generate().dump(2) << std::endl;
    return 0;
}

int list() {
    for (const auto& [name, category] : categories()) std::cout << name << "  " << category.description << '\n';
    return 0;
}

}  // namespace
}  // namespace cliquet::vectors

int main(int argc, char** argv) {
    using namespace cliquet::vectors;
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty()) {
            std::cerr << kUsage;
            return 2;
        }
        if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            std::cout << kUsage;
            return 0;
        }
        if (args[0] == "verify") return verify({args.begin() + 1, args.end()});
        if (args[0] == "generate" && args.size() == 2) return generate(args[1]);
        if (args[0] == "list" && args.size() == 1) return list();
        std::cerr << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "cliquet-vectors: " << e.what() << '\n';
        return 1;
    }
}
