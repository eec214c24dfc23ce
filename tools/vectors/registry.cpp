#include "registry.hpp"

#include <algorithm>

#include "cliquet/service_id.hpp"
#include "crypto/hash.hpp"

namespace cliquet::vectors {

std::map<std::string, Category, std::less<>>& categories() {
    static std::map<std::string, Category, std::less<>> table;
    return table;
}

CategoryRegistration::CategoryRegistration(std::string name, CheckFunction check, GenerateFunction generate,
                                           std::string description) {
    categories().insert_or_assign(std::move(name),
                                  Category{std::move(check), std::move(generate), std::move(description)});
}

namespace {

const json& member(const json& object, std::string_view name) {
    if (!object.is_object()) throw Mismatch("expected an object holding '" + std::string(name) + "'");
    const auto it = object.find(name);
    if (it == object.end()) throw Mismatch("missing field '" + std::string(name) + "'");
    return *it;
}

}  // namespace

Bytes hex_param(const json& object, std::string_view name) {
    const json& value = member(object, name);
    if (!value.is_string()) throw Mismatch("field '" + std::string(name) + "' must be a hex string");
    try {
        return from_hex(value.get_ref<const std::string&>());
    } catch (const Error&) {
        throw Mismatch("field '" + std::string(name) + "' is not hex");
    }
}

std::optional<Bytes> optional_hex_param(const json& object, std::string_view name) {
    if (!object.is_object() || !object.contains(name) || object[std::string(name)].is_null()) return std::nullopt;
    return hex_param(object, name);
}

std::string string_param(const json& object, std::string_view name) {
    const json& value = member(object, name);
    if (!value.is_string()) throw Mismatch("field '" + std::string(name) + "' must be a string");
    return value.get<std::string>();
}

std::uint64_t uint_param(const json& object, std::string_view name) {
    const json& value = member(object, name);
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
        throw Mismatch("field '" + std::string(name) + "' must be a non-negative integer");
    return value.get<std::uint64_t>();
}

Verdict expected_verdict(const json& test) {
    const std::string result = string_param(test, "result");
    if (result == "valid") return Verdict::valid;
    if (result == "invalid") return Verdict::invalid;
    if (result == "acceptable") return Verdict::acceptable;
    throw Mismatch("result must be \"valid\", \"invalid\" or \"acceptable\", not \"" + result + "\"");
}

std::array<std::uint8_t, 16> uuid_param(const json& object, std::string_view name) {
    const auto uuid = parse_uuid(string_param(object, name));
    if (!uuid) throw Mismatch("field '" + std::string(name) + "' is not a UUID string");
    return *uuid;
}

bool is_valid(const json& test) {
    const std::string result = string_param(test, "result");
    if (result == "valid") return true;
    if (result == "invalid") return false;
    throw Mismatch("result must be \"valid\" or \"invalid\", not \"" + result + "\"");
}

bool has_flag(const json& test, std::string_view flag) {
    const auto it = test.find("flags");
    if (it == test.end() || !it->is_array()) return false;
    return std::any_of(it->begin(), it->end(), [&](const json& f) { return f.is_string() && f == flag; });
}

void expect_equal(std::string_view what, ByteView expected, ByteView actual) {
    if (expected.size() == actual.size() && std::equal(expected.begin(), expected.end(), actual.begin())) return;
    throw Mismatch(std::string(what) + ": expected " + to_hex(expected) + ", cliquet computed " + to_hex(actual));
}

std::optional<ErrorCode> error_code_named(std::string_view name) {
    for (int value = 0; value <= static_cast<int>(ErrorCode::unsupported); ++value) {
        const auto code = static_cast<ErrorCode>(value);
        if (to_string(code) == name) return code;
    }
    return std::nullopt;
}

ErrorCode error_param(const json& test) {
    const std::string name = string_param(test, "error");
    const auto code = error_code_named(name);
    if (!code) throw Mismatch("unknown error name '" + name + "'");
    return *code;
}

namespace {
thread_local const json* current_test = nullptr;
}  // namespace

CurrentTest::CurrentTest(const json& test) { current_test = &test; }
CurrentTest::~CurrentTest() { current_test = nullptr; }
const json* CurrentTest::get() noexcept { return current_test; }

void expect_refused(const std::function<void()>& operation, ErrorCode code) {
    if (const json* test = CurrentTest::get(); test != nullptr && test->is_object() && test->contains("error")) {
        const ErrorCode stated = error_param(*test);
        if (stated != code)
            throw Mismatch("the case names error " + std::string(to_string(stated)) + ", the check expects " +
                           std::string(to_string(code)));
    }
    try {
        operation();
    } catch (const Error& e) {
        if (e.code() == code) return;
        throw Mismatch("refused with " + std::string(to_string(e.code())) + " (" + e.what() + "), expected " +
                       std::string(to_string(code)));
    }
    throw Mismatch("cliquet accepted it; expected a refusal with " + std::string(to_string(code)));
}

std::array<std::uint8_t, 32> fixed_seed(std::string_view label) { return crypto::sha256(as_bytes(label)); }

DeterministicRandom fixed_seed_random(std::string_view label) { return DeterministicRandom(fixed_seed(label)); }

Bytes random_bytes(RandomSource& random, std::size_t size) {
    Bytes out(size);
    random.fill(out);
    return out;
}

json vector_file(std::string_view category, std::string_view algorithm, const json& header, const json& notes, json groups) {
    std::uint64_t id = 0;
    for (json& group : groups)
        for (json& test : group.at("tests")) test["tcId"] = ++id;
    return json{
        {"category", category},
        {"formatVersion", 2},
        {"algorithm", algorithm},
        {"schema", "schema/" + std::string(category) + ".schema.json"},
        {"generatorVersion", "cliquet-vectors 0.1"},
        {"numberOfTests", id},
        {"header", header},
        {"notes", notes},
        {"testGroups", std::move(groups)},
    };
}

json test_case(std::string_view comment, bool valid, const json& flags) {
    return json{{"comment", comment}, {"flags", flags}, {"result", valid ? "valid" : "invalid"}};
}

}  // namespace cliquet::vectors
