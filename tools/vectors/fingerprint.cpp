// Category fingerprint: safety numbers (displayable and scannable).
//
// Groups of type "FingerprintTest": version, iterations, localId, localKey,
// remoteId, remoteKey give `displayable` (60 digits) and `scannable` (the
// local side's CombinedFingerprints, hex). Invalid cases have an iteration
// count outside [2, 1000000], refused with invalid_argument.
//
// Groups of type "ScannableCompareTest": `ours` compared with a scanned
// `theirs` gives `match`. Invalid cases (a version mismatch, a malformed
// code) are refused with invalid_message.
#include <limits>
#include <optional>
#include <string>

#include "cliquet/fingerprint.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

std::uint32_t u32_param(const json& object, std::string_view name) {
    const std::uint64_t value = uint_param(object, name);
    if (value > std::numeric_limits<std::uint32_t>::max()) throw Mismatch(std::string(name) + " is out of range");
    return static_cast<std::uint32_t>(value);
}

void check_fingerprint_test(const json& test) {
    const std::uint32_t version = u32_param(test, "version");
    const std::uint32_t iterations = u32_param(test, "iterations");
    const Bytes local_id = hex_param(test, "localId");
    const Bytes remote_id = hex_param(test, "remoteId");
    const PublicKey local_key = PublicKey::deserialize(hex_param(test, "localKey"));
    const PublicKey remote_key = PublicKey::deserialize(hex_param(test, "remoteKey"));
    auto compute = [&] { return Fingerprint(version, iterations, local_id, local_key, remote_id, remote_key); };
    if (!is_valid(test)) {
        expect_refused([&] { (void)compute(); }, ErrorCode::invalid_argument);
        return;
    }
    const Fingerprint fingerprint = compute();
    const std::string expected = string_param(test, "displayable");
    if (fingerprint.displayable() != expected)
        throw Mismatch("displayable: expected " + expected + ", got " + fingerprint.displayable());
    expect_equal("scannable", hex_param(test, "scannable"), fingerprint.scannable().serialize());
    // The same pair seen from the other side: the same digits, and codes
    // that match each other.
    const Fingerprint theirs(version, iterations, remote_id, remote_key, local_id, local_key);
    if (theirs.displayable() != expected) throw Mismatch("the remote side computes other digits");
    if (!theirs.scannable().compare(fingerprint.scannable().serialize()))
        throw Mismatch("the remote side's code does not match the local one");
}

void check_compare_test(const json& test) {
    const auto ours = ScannableFingerprint::deserialize(hex_param(test, "ours"));
    const Bytes theirs = hex_param(test, "theirs");
    if (!is_valid(test)) {
        expect_refused([&] { (void)ours.compare(theirs); }, ErrorCode::invalid_message);
        return;
    }
    const json& match = test.contains("match") ? test["match"] : json();
    if (!match.is_boolean()) throw Mismatch("missing boolean 'match'");
    const bool expected = match == json(true);
    if (ours.compare(theirs) != expected) throw Mismatch(std::string("compare gave ") + (expected ? "false" : "true"));
}

void check_fingerprint_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    if (type == "FingerprintTest") return check_fingerprint_test(test);
    if (type == "ScannableCompareTest") return check_compare_test(test);
    throw Mismatch("unknown group type " + type);
}

// ---- generation -------------------------------------------------------------

struct Side {
    Bytes id;
    PublicKey key;
};

Side random_side(RandomSource& random, std::uint32_t version, int index) {
    // Version 1 identifies accounts by phone number, version 2 by ACI bytes.
    const std::string e164 = "+1415555" + std::to_string(1000 + index);
    Bytes id = version == kFingerprintVersionE164 ? Bytes(e164.begin(), e164.end()) : random_bytes(random, 16);
    return Side{std::move(id), PrivateKey::generate(random).public_key()};
}

json fingerprint_case(std::string_view comment, std::uint32_t version, std::uint32_t iterations, const Side& local,
                      const Side& remote) {
    const bool valid = iterations >= kMinFingerprintIterations && iterations <= kMaxFingerprintIterations;
    json test = test_case(comment, valid, valid ? json{"Cliquet"} : json{"Cliquet", "IterationCount"});
    test["version"] = version;
    test["iterations"] = iterations;
    test["localId"] = to_hex(local.id);
    test["localKey"] = to_hex(local.key.serialize());
    test["remoteId"] = to_hex(remote.id);
    test["remoteKey"] = to_hex(remote.key.serialize());
    if (valid) {
        const Fingerprint fingerprint(version, iterations, local.id, local.key, remote.id, remote.key);
        test["displayable"] = fingerprint.displayable();
        test["scannable"] = to_hex(fingerprint.scannable().serialize());
    }
    return test;
}

json compare_case(std::string_view comment, const Bytes& ours, const Bytes& theirs, std::optional<bool> match,
                  std::string_view flag) {
    json test = test_case(comment, match.has_value(), {"Cliquet", flag});
    test["ours"] = to_hex(ours);
    test["theirs"] = to_hex(theirs);
    if (match) test["match"] = *match;
    return test;
}

json generate_fingerprint() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors fingerprint");
    json fingerprints = json::array();
    int index = 0;
    for (const std::uint32_t version : {kFingerprintVersionE164, kFingerprintVersionAci}) {
        for (const std::uint32_t iterations : {kDefaultFingerprintIterations, 2u, 1024u}) {
            const Side local = random_side(random, version, index++);
            const Side remote = random_side(random, version, index++);
            fingerprints.push_back(fingerprint_case("version " + std::to_string(version) + ", " +
                                                        std::to_string(iterations) + " iterations",
                                                    version, iterations, local, remote));
        }
    }
    const Side local = random_side(random, kFingerprintVersionAci, index++);
    const Side remote = random_side(random, kFingerprintVersionAci, index++);
    fingerprints.push_back(fingerprint_case("empty identifiers", 2, 16, Side{{}, local.key}, Side{{}, remote.key}));
    fingerprints.push_back(fingerprint_case("both sides the same", 2, 16, local, local));
    for (const std::uint32_t iterations : {0u, 1u, kMaxFingerprintIterations + 1})
        fingerprints.push_back(fingerprint_case("iteration count " + std::to_string(iterations), 2, iterations,
                                                local, remote));

    const Side impostor = random_side(random, kFingerprintVersionAci, index++);
    const auto scannable = [&](std::uint32_t version, const Side& a, const Side& b) {
        return Fingerprint(version, 16, a.id, a.key, b.id, b.key).scannable().serialize();
    };
    const Bytes ours = scannable(2, local, remote);
    const Bytes theirs = scannable(2, remote, local);
    const Bytes no_remote(theirs.begin(), theirs.begin() + 38);  // version and the first part only
    json compares = json::array({
        compare_case("the other side's code", ours, theirs, true, "Match"),
        compare_case("our own code", ours, ours, false, "NoMatch"),
        compare_case("an impostor's code", ours, scannable(2, impostor, local), false, "NoMatch"),
        compare_case("a version 1 code", ours, scannable(1, remote, local), std::nullopt, "VersionMismatch"),
        compare_case("a code without a version", ours, Bytes(theirs.begin() + 2, theirs.end()), std::nullopt,
                     "VersionMismatch"),
        compare_case("a code without its remote part", ours, no_remote, std::nullopt, "Malformed"),
        compare_case("not a protobuf", ours, Bytes{0x08, 0x02, 0x12, 0x22, 0x0a}, std::nullopt, "Malformed"),
    });

    json groups = json::array({{{"type", "FingerprintTest"}, {"tests", std::move(fingerprints)}},
                               {{"type", "ScannableCompareTest"}, {"tests", std::move(compares)}}});
    return vector_file(
        "fingerprint", "Signal safety numbers", {"Safety numbers as libsignal computes them: iterated SHA-512 over 0x0000 || key || id || key, then",
         "digest || key; 30 digits per side from six 5-byte chunks mod 100000; the scannable form is a",
         "CombinedFingerprints protobuf with the first 32 bytes of each digest. Ids and keys are hex."},
        {{"Cliquet", "Computed by cliquet-vectors generate fingerprint."},
         {"IterationCount", "an iteration count outside [2, 1000000]: invalid_argument"},
         {"Match", "the scanned code shows our digests with the sides swapped"},
         {"NoMatch", "a well-formed code of the same version showing other digests"},
         {"VersionMismatch", "a scanned code of another version (absent reads as 0): invalid_message"},
         {"Malformed", "a scanned code that is not a complete CombinedFingerprints: invalid_message"}},
        std::move(groups));
}

const CategoryRegistration registration{"fingerprint", check_fingerprint_case, generate_fingerprint,
                                        "safety numbers: displayable digits, scannable codes and their comparison"};

}  // namespace
}  // namespace cliquet::vectors
