#include "cliquet/fingerprint.hpp"

#include <array>
#include <string>

#include "crypto/hash.hpp"
#include "fingerprint.pb.h"
#include "protocol/wire/proto_util.hpp"

namespace cliquet {
namespace {

// The digest format's own version, hashed in front of everything. It has
// never changed; the scannable `version` is a separate number.
constexpr std::array<std::uint8_t, 2> kDigestFormatVersion = {0x00, 0x00};
constexpr std::size_t kScannableBytes = 32;
constexpr std::size_t kDisplayChunks = 6;
constexpr std::size_t kDisplayChunkBytes = 5;
// A CombinedFingerprints holding two 32-byte digests is 74 bytes; anything
// much larger is not a fingerprint.
constexpr std::size_t kMaxScannableSize = 4096;

crypto::Sha512Digest iterated_digest(std::uint32_t iterations, ByteView stable_id, const IdentityKey& key) {
    if (iterations < kMinFingerprintIterations || iterations > kMaxFingerprintIterations)
        throw Error(ErrorCode::invalid_argument,
                    "fingerprint iteration count " + std::to_string(iterations) + " is outside [2, 1000000]");
    const Bytes key_bytes = key.serialize();
    crypto::Sha512Digest digest = crypto::sha512({kDigestFormatVersion, key_bytes, stable_id, key_bytes});
    for (std::uint32_t i = 1; i < iterations; ++i) digest = crypto::sha512({digest, key_bytes});
    return digest;
}

// Thirty digits: six 40-bit big-endian chunks, each reduced mod 100000 and
// written as five digits with leading zeros.
std::string display_digits(ByteView digest) {
    std::string out;
    out.reserve(kDisplayChunks * kDisplayChunkBytes);
    for (std::size_t chunk = 0; chunk < kDisplayChunks; ++chunk) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < kDisplayChunkBytes; ++i)
            value = value << 8 | digest[chunk * kDisplayChunkBytes + i];
        value %= 100'000;
        char digits[5];
        for (int i = 4; i >= 0; --i) {
            digits[i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
        out.append(digits, sizeof digits);
    }
    return out;
}

// The content of an optional LogicalFingerprint, or null when either is absent.
const std::string* content_of(bool present, const proto::fingerprint::LogicalFingerprint& logical) {
    return present && logical.has_content() ? &logical.content() : nullptr;
}

proto::fingerprint::CombinedFingerprints parse_combined(ByteView bytes) {
    proto::fingerprint::CombinedFingerprints combined;
    protocol::parse_proto(combined, bytes, ErrorCode::invalid_message, "scannable fingerprint", kMaxScannableSize);
    return combined;
}

}  // namespace

FingerprintVersionMismatch::FingerprintVersionMismatch(std::uint32_t theirs, std::uint32_t ours)
    : Error(ErrorCode::invalid_message, "scannable fingerprint has version " + std::to_string(theirs) +
                                            ", this device uses version " + std::to_string(ours)),
      theirs_(theirs),
      ours_(ours) {}

ScannableFingerprint ScannableFingerprint::deserialize(ByteView bytes) {
    const auto combined = parse_combined(bytes);
    if (!combined.has_version()) throw Error(ErrorCode::invalid_message, "scannable fingerprint has no version");
    const std::string* local = content_of(combined.has_local_fingerprint(), combined.local_fingerprint());
    const std::string* remote = content_of(combined.has_remote_fingerprint(), combined.remote_fingerprint());
    if (local == nullptr) throw Error(ErrorCode::invalid_message, "scannable fingerprint has no local part");
    if (remote == nullptr) throw Error(ErrorCode::invalid_message, "scannable fingerprint has no remote part");
    return ScannableFingerprint(combined.version(), Bytes(local->begin(), local->end()),
                                Bytes(remote->begin(), remote->end()));
}

Bytes ScannableFingerprint::serialize() const {
    proto::fingerprint::CombinedFingerprints combined;
    combined.set_version(version_);
    combined.mutable_local_fingerprint()->set_content(local_.data(), local_.size());
    combined.mutable_remote_fingerprint()->set_content(remote_.data(), remote_.size());
    const std::string encoded = combined.SerializeAsString();
    return Bytes(encoded.begin(), encoded.end());
}

bool ScannableFingerprint::compare(ByteView their_code) const {
    const auto theirs = parse_combined(their_code);
    // An absent version reads as 0, which no real code carries.
    const std::uint32_t their_version = theirs.has_version() ? theirs.version() : 0;
    if (their_version != version_) throw FingerprintVersionMismatch(their_version, version_);
    const std::string* their_local = content_of(theirs.has_local_fingerprint(), theirs.local_fingerprint());
    const std::string* their_remote = content_of(theirs.has_remote_fingerprint(), theirs.remote_fingerprint());
    if (their_local == nullptr) throw Error(ErrorCode::invalid_message, "scanned fingerprint has no local part");
    if (their_remote == nullptr) throw Error(ErrorCode::invalid_message, "scanned fingerprint has no remote part");
    // Their "local" is us and their "remote" is them. Both comparisons run
    // whatever the first one finds.
    const bool they_see_us = constant_time_equal(protocol::view_of(*their_local), remote_);
    const bool we_see_them = constant_time_equal(protocol::view_of(*their_remote), local_);
    return they_see_us & we_see_them;
}

Fingerprint::Fingerprint(std::uint32_t version, std::uint32_t iterations, ByteView local_id,
                         const IdentityKey& local_key, ByteView remote_id, const IdentityKey& remote_key)
    : Fingerprint(version, iterated_digest(iterations, local_id, local_key),
                  iterated_digest(iterations, remote_id, remote_key)) {}

Fingerprint::Fingerprint(std::uint32_t version, ByteView local_digest, ByteView remote_digest)
    : scannable_(version, Bytes(local_digest.begin(), local_digest.begin() + kScannableBytes),
                 Bytes(remote_digest.begin(), remote_digest.begin() + kScannableBytes)) {
    std::string local = display_digits(local_digest);
    std::string remote = display_digits(remote_digest);
    displayable_ = local < remote ? local + remote : remote + local;
}

}  // namespace cliquet
