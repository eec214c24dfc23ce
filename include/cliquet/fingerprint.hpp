/// @file
/// Safety numbers, as libsignal computes them.
///
/// Each side of a conversation is summarised by an iterated SHA-512 over its
/// identity key and a stable identifier (a phone number for version 1, an ACI
/// for version 2). Users compare the result either as 60 digits read aloud or
/// as a QR code holding both digests; both forms are byte-for-byte libsignal's.
#pragma once

#include <cstdint>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"

namespace cliquet {

/// The iteration count Signal's apps use.
inline constexpr std::uint32_t kDefaultFingerprintIterations = 5200;
/// libsignal refuses counts outside [2, 1'000'000].
///@{
inline constexpr std::uint32_t kMinFingerprintIterations = 2;
inline constexpr std::uint32_t kMaxFingerprintIterations = 1'000'000;
///@}
/// The two versions Signal has used: 1 for phone numbers, 2 for ACIs.
///@{
inline constexpr std::uint32_t kFingerprintVersionE164 = 1;
inline constexpr std::uint32_t kFingerprintVersionAci = 2;
///@}

/// A scanned code carries a different version than ours: the two apps disagree
/// on what the identifiers are, so the codes cannot be compared at all (which
/// is not the same as a mismatch of identities).
class CLIQUET_EXPORT FingerprintVersionMismatch : public Error {
public:
    /// An Error(invalid_message) naming both versions.
    FingerprintVersionMismatch(std::uint32_t theirs, std::uint32_t ours);
    [[nodiscard]] std::uint32_t theirs() const noexcept { return theirs_; }  ///< The version of the scanned code.
    [[nodiscard]] std::uint32_t ours() const noexcept { return ours_; }  ///< The version of our own code.

private:
    std::uint32_t theirs_;
    std::uint32_t ours_;
};

/// The QR-code form: a CombinedFingerprints protobuf holding the version and
/// the first 32 bytes of each side's digest, ours first.
class CLIQUET_EXPORT ScannableFingerprint {
public:
    /// Error(invalid_message) for malformed bytes or a missing part.
    [[nodiscard]] static ScannableFingerprint deserialize(ByteView bytes);
    /// The bytes to show as a QR code.
    [[nodiscard]] Bytes serialize() const;

    [[nodiscard]] std::uint32_t version() const noexcept { return version_; }  ///< The fingerprint version.
    [[nodiscard]] ByteView local_fingerprint() const noexcept { return local_; }  ///< Our 32-byte digest.
    [[nodiscard]] ByteView remote_fingerprint() const noexcept { return remote_; }  ///< Their 32-byte digest.

    /// True when `their_code`, scanned from the other device, shows our
    /// digests with the sides swapped. Compared in constant time. A different
    /// version is FingerprintVersionMismatch; malformed bytes or a missing part
    /// are Error(invalid_message).
    [[nodiscard]] bool compare(ByteView their_code) const;

private:
    friend class Fingerprint;
    ScannableFingerprint(std::uint32_t version, Bytes local, Bytes remote)
        : version_(version), local_(std::move(local)), remote_(std::move(remote)) {}

    std::uint32_t version_;
    Bytes local_;
    Bytes remote_;
};

/// A safety number for one pair of identities.
class CLIQUET_EXPORT Fingerprint {
public:
    /// `version` is carried in the scannable form only; the digits do not
    /// depend on it. An iteration count outside [2, 1'000'000] is
    /// Error(invalid_argument).
    Fingerprint(std::uint32_t version, std::uint32_t iterations, ByteView local_id, const IdentityKey& local_key,
                ByteView remote_id, const IdentityKey& remote_key);

    /// 60 digits: each side's 30, the smaller string first, so that both
    /// devices show the same number.
    const std::string& displayable() const noexcept { return displayable_; }
    /// The QR-code form.
    const ScannableFingerprint& scannable() const noexcept { return scannable_; }

private:
    /// From each side's 64-byte iterated digest.
    Fingerprint(std::uint32_t version, ByteView local_digest, ByteView remote_digest);

    std::string displayable_;
    ScannableFingerprint scannable_;
};

}  // namespace cliquet
