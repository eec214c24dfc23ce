#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/fingerprint.hpp"

using namespace cliquet;

namespace {

const Bytes kAliceId = Bytes(as_bytes("+14152222222").begin(), as_bytes("+14152222222").end());
const Bytes kBobId = Bytes(as_bytes("+14153333333").begin(), as_bytes("+14153333333").end());

// Small iteration counts keep the suite fast; the count is a parameter.
constexpr std::uint32_t kIterations = 16;

Bytes joined(ByteView head, ByteView tail) {
    Bytes out(head.size() + tail.size());
    std::copy(head.begin(), head.end(), out.begin());
    std::copy(tail.begin(), tail.end(), out.begin() + static_cast<std::ptrdiff_t>(head.size()));
    return out;
}

ErrorCode code_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no error was raised");
    return ErrorCode::unsupported;
}

}  // namespace

TEST_CASE("both sides of a conversation see the same safety number", "[fingerprint]") {
    const auto alice = IdentityKeyPair::generate();
    const auto bob = IdentityKeyPair::generate();
    for (std::uint32_t version : {kFingerprintVersionE164, kFingerprintVersionAci}) {
        const Fingerprint at_alice(version, kIterations, kAliceId, alice.public_key(), kBobId, bob.public_key());
        const Fingerprint at_bob(version, kIterations, kBobId, bob.public_key(), kAliceId, alice.public_key());

        CHECK(at_alice.displayable() == at_bob.displayable());
        REQUIRE(at_alice.displayable().size() == 60);
        CHECK(std::all_of(at_alice.displayable().begin(), at_alice.displayable().end(),
                          [](char c) { return c >= '0' && c <= '9'; }));
        // The smaller half comes first.
        CHECK(at_alice.displayable().substr(0, 30) <= at_alice.displayable().substr(30));

        CHECK(at_alice.scannable().version() == version);
        CHECK(at_alice.scannable().local_fingerprint().size() == 32);
        CHECK(std::equal(at_alice.scannable().local_fingerprint().begin(),
                         at_alice.scannable().local_fingerprint().end(),
                         at_bob.scannable().remote_fingerprint().begin()));
        CHECK(at_alice.scannable().compare(at_bob.scannable().serialize()));
        CHECK(at_bob.scannable().compare(at_alice.scannable().serialize()));
        // A device scanning its own code sees the sides unswapped.
        CHECK_FALSE(at_alice.scannable().compare(at_alice.scannable().serialize()));
    }
}

TEST_CASE("safety numbers depend on keys, identifiers and iterations", "[fingerprint]") {
    const auto alice = IdentityKeyPair::generate();
    const auto bob = IdentityKeyPair::generate();
    const auto mallory = IdentityKeyPair::generate();
    const Fingerprint genuine(2, kIterations, kAliceId, alice.public_key(), kBobId, bob.public_key());

    const Fingerprint other_key(2, kIterations, kAliceId, alice.public_key(), kBobId, mallory.public_key());
    CHECK(genuine.displayable() != other_key.displayable());
    const Fingerprint at_mallory(2, kIterations, kBobId, mallory.public_key(), kAliceId, alice.public_key());
    CHECK_FALSE(genuine.scannable().compare(at_mallory.scannable().serialize()));

    const Fingerprint other_id(2, kIterations, kAliceId, alice.public_key(), kAliceId, bob.public_key());
    CHECK(genuine.displayable() != other_id.displayable());
    const Fingerprint more_iterations(2, kIterations + 1, kAliceId, alice.public_key(), kBobId, bob.public_key());
    CHECK(genuine.displayable() != more_iterations.displayable());

    // The digits do not depend on the version; the scannable form does.
    const Fingerprint version_one(1, kIterations, kAliceId, alice.public_key(), kBobId, bob.public_key());
    CHECK(genuine.displayable() == version_one.displayable());
    CHECK(genuine.scannable().serialize() != version_one.scannable().serialize());
}

TEST_CASE("iteration counts outside libsignal's range are refused", "[fingerprint]") {
    const auto alice = IdentityKeyPair::generate();
    for (std::uint32_t iterations : {0u, 1u, kMaxFingerprintIterations + 1, 0xffffffffu}) {
        CHECK(code_of([&] { Fingerprint(2, iterations, kAliceId, alice.public_key(), kBobId, alice.public_key()); }) ==
              ErrorCode::invalid_argument);
    }
    CHECK_NOTHROW(Fingerprint(2, kMinFingerprintIterations, kAliceId, alice.public_key(), kBobId, alice.public_key()));
}

TEST_CASE("scannable fingerprints round-trip through their protobuf", "[fingerprint]") {
    const auto alice = IdentityKeyPair::generate();
    const auto bob = IdentityKeyPair::generate();
    const Fingerprint fingerprint(2, kIterations, kAliceId, alice.public_key(), kBobId, bob.public_key());
    const Bytes encoded = fingerprint.scannable().serialize();

    // version 2, then two 34-byte LogicalFingerprint fields holding 32 bytes.
    REQUIRE(encoded.size() == 2 + 2 * (2 + 2 + 32));
    CHECK(Bytes(encoded.begin(), encoded.begin() + 6) == Bytes{0x08, 0x02, 0x12, 0x22, 0x0a, 0x20});
    CHECK(Bytes(encoded.begin() + 38, encoded.begin() + 42) == Bytes{0x1a, 0x22, 0x0a, 0x20});

    const auto decoded = ScannableFingerprint::deserialize(encoded);
    CHECK(decoded.version() == 2);
    CHECK(decoded.serialize() == encoded);
}

TEST_CASE("malformed or foreign scannable fingerprints are refused", "[fingerprint]") {
    const auto alice = IdentityKeyPair::generate();
    const auto bob = IdentityKeyPair::generate();
    const Fingerprint ours(2, kIterations, kAliceId, alice.public_key(), kBobId, bob.public_key());
    const Fingerprint theirs(2, kIterations, kBobId, bob.public_key(), kAliceId, alice.public_key());
    const Bytes good = theirs.scannable().serialize();

    SECTION("a different version") {
        const Fingerprint version_one(1, kIterations, kBobId, bob.public_key(), kAliceId, alice.public_key());
        try {
            (void)ours.scannable().compare(version_one.scannable().serialize());
            FAIL("compared codes of different versions");
        } catch (const FingerprintVersionMismatch& e) {
            CHECK(e.theirs() == 1);
            CHECK(e.ours() == 2);
            CHECK(e.code() == ErrorCode::invalid_message);
        }
    }
    SECTION("no version reads as version 0") {
        const Bytes no_version(good.begin() + 2, good.end());
        try {
            (void)ours.scannable().compare(no_version);
            FAIL("compared a code without a version");
        } catch (const FingerprintVersionMismatch& e) {
            CHECK(e.theirs() == 0);
        }
        CHECK(code_of([&] { (void)ScannableFingerprint::deserialize(no_version); }) == ErrorCode::invalid_message);
    }
    SECTION("a missing part") {
        const Bytes no_remote(good.begin(), good.begin() + 38);
        CHECK(code_of([&] { (void)ours.scannable().compare(no_remote); }) == ErrorCode::invalid_message);
        CHECK(code_of([&] { (void)ScannableFingerprint::deserialize(no_remote); }) == ErrorCode::invalid_message);
        const Bytes no_local = joined(ByteView(good).first(2), ByteView(good).subspan(38));
        CHECK(code_of([&] { (void)ours.scannable().compare(no_local); }) == ErrorCode::invalid_message);
        CHECK(code_of([&] { (void)ScannableFingerprint::deserialize(no_local); }) == ErrorCode::invalid_message);
        // A LogicalFingerprint without its content is as good as absent.
        const Bytes empty_local = joined(Bytes{0x08, 0x02, 0x12, 0x00}, ByteView(good).subspan(38));
        CHECK(code_of([&] { (void)ours.scannable().compare(empty_local); }) == ErrorCode::invalid_message);
    }
    SECTION("bytes that are not a protobuf") {
        for (const Bytes& bad : {Bytes{0xff}, Bytes{0x12, 0x22, 0x0a}, Bytes(good.begin(), good.end() - 1)}) {
            CHECK(code_of([&] { (void)ours.scannable().compare(bad); }) == ErrorCode::invalid_message);
            CHECK(code_of([&] { (void)ScannableFingerprint::deserialize(bad); }) == ErrorCode::invalid_message);
        }
        CHECK(code_of([&] { (void)ours.scannable().compare(Bytes(5000, 0)); }) == ErrorCode::invalid_message);
    }
    SECTION("a part of another length compares unequal") {
        // The local part one byte shorter: LogicalFingerprint length 33,
        // content length 31, then the content without its first byte.
        const Bytes shorter = joined(Bytes{0x08, 0x02, 0x12, 0x21, 0x0a, 0x1f}, ByteView(good).subspan(7));
        CHECK_FALSE(ours.scannable().compare(shorter));
        CHECK(ours.scannable().compare(good));
    }
}
